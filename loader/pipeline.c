/* pipeline.c: decode on a second thread. See pipeline.h. */
#include "pipeline.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct slot {
	bool is_kind;      /* a kind announcement, not a record */
	enum file_kind kind;
	bool decimal_comma;
	struct record rec;
};

struct pipeline {
	pthread_mutex_t mu;
	pthread_cond_t filled;  /* a slot was filled, or the decoder ended */
	pthread_cond_t emptied; /* a slot was emptied, or the caller stopped */
	struct slot *slots;
	size_t head, count;     /* the oldest filled slot; filled slots */
	/* Who sleeps: wake-ups are the expensive part (a futex call each), so
	 * the consumer is woken only when half the ring is filled. */
	bool producer_waits, consumer_waits;
	bool done;              /* the decoder returned */
	bool stop;              /* the caller failed: the decoder must stop */
	int (*decode)(struct decode_io *, struct err *);
	struct decode_io pio;   /* the decoder's io */
	int rc;                 /* the decoder's result */
	struct err perr;        /* the decoder's error */
};

/* Copy what a record holds, not its whole buffer. */
static void record_copy(struct record *dst, const struct record *src)
{
	dst->kind = src->kind;
	dst->ordinal = src->ordinal;
	dst->line = src->line;
	memcpy(dst->f, src->f, sizeof(dst->f));
	dst->bad_record = src->bad_record;
	memcpy(dst->problem, src->problem, sizeof(dst->problem));
	memcpy(dst->buf, src->buf, src->used);
	dst->used = src->used;
}

/* The decoder's side: wait for a free slot; false when told to stop. */
static struct slot *claim(struct pipeline *p)
{
	struct slot *s;

	pthread_mutex_lock(&p->mu);
	while (p->count == PIPELINE_SLOTS && !p->stop) {
		p->producer_waits = true;
		pthread_cond_wait(&p->emptied, &p->mu);
		p->producer_waits = false;
	}
	s = p->stop ? NULL : &p->slots[(p->head + p->count) % PIPELINE_SLOTS];
	pthread_mutex_unlock(&p->mu);
	/* only the decoder writes the slot after the filled ones */
	return s;
}

static void publish(struct pipeline *p)
{
	pthread_mutex_lock(&p->mu);
	p->count++;
	if (p->consumer_waits && p->count >= PIPELINE_SLOTS / 2)
		pthread_cond_signal(&p->filled);
	pthread_mutex_unlock(&p->mu);
}

static int push_kind(void *ctx, enum file_kind kind, struct err *e)
{
	struct pipeline *p = ctx;
	struct slot *s = claim(p);

	if (s == NULL)
		return ERR_SET(e, ERR_INTERRUPTED, "stopped");
	s->is_kind = true;
	s->kind = kind;
	s->decimal_comma = p->pio.decimal_comma;
	publish(p);
	return 0;
}

static int push_record(void *ctx, struct record *r, struct err *e)
{
	struct pipeline *p = ctx;
	struct slot *s = claim(p);

	if (s == NULL)
		return ERR_SET(e, ERR_INTERRUPTED, "stopped");
	s->is_kind = false;
	record_copy(&s->rec, r);
	publish(p);
	return 0;
}

static void *run_decoder(void *arg)
{
	struct pipeline *p = arg;
	int rc = p->decode(&p->pio, &p->perr);

	pthread_mutex_lock(&p->mu);
	p->rc = rc;
	p->done = true;
	pthread_cond_signal(&p->filled);
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

int pipeline_decode(int (*decode)(struct decode_io *, struct err *), struct decode_io *io, struct err *e)
{
	struct pipeline *p = calloc(1, sizeof(*p));
	pthread_t th;
	int rc = 0;

	if (p == NULL || (p->slots = malloc(PIPELINE_SLOTS * sizeof(struct slot))) == NULL) {
		free(p);
		return ERR_SET(e, ERR_NOMEM, "out of memory");
	}
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->filled, NULL);
	pthread_cond_init(&p->emptied, NULL);
	p->decode = decode;
	p->pio = *io;
	p->pio.on_kind = push_kind;
	p->pio.on_record = push_record;
	p->pio.ctx = p;
	err_clear(&p->perr);
	if (pthread_create(&th, NULL, run_decoder, p) != 0) {
		rc = ERR_SET(e, ERR_NOMEM, "cannot start the decoder thread");
		goto out;
	}
	for (;;) {
		size_t avail, done = 0;

		pthread_mutex_lock(&p->mu);
		while (p->count == 0 && !p->done) {
			p->consumer_waits = true;
			pthread_cond_wait(&p->filled, &p->mu);
			p->consumer_waits = false;
		}
		avail = p->count; /* 0: the decoder is done */
		pthread_mutex_unlock(&p->mu);
		if (avail == 0)
			break;
		/* These slots are ours until count drops: the decoder only
		 * writes after the filled ones. */
		while (done < avail && rc == 0) {
			struct slot *s = &p->slots[(p->head + done) % PIPELINE_SLOTS];

			if (s->is_kind) {
				io->decimal_comma = s->decimal_comma;
				rc = io->on_kind(io->ctx, s->kind, e);
			} else {
				rc = io->on_record(io->ctx, &s->rec, e);
			}
			done++;
		}
		pthread_mutex_lock(&p->mu);
		p->head = (p->head + done) % PIPELINE_SLOTS;
		p->count -= done;
		if (rc != 0)
			p->stop = true;
		if (p->producer_waits || rc != 0)
			pthread_cond_signal(&p->emptied);
		pthread_mutex_unlock(&p->mu);
		if (rc != 0)
			break;
	}
	pthread_join(th, NULL);
	/* the decoder's outcome, unless a callback failed first */
	if (rc == 0 && p->rc != 0) {
		*e = p->perr;
		rc = p->rc;
	}
	io->refusal = p->pio.refusal;
	io->refusal_line = p->pio.refusal_line;
	io->refusal_record = p->pio.refusal_record;
	io->decimal_comma = p->pio.decimal_comma;
	io->records = p->pio.records;
	io->lines = p->pio.lines;
out:
	pthread_cond_destroy(&p->emptied);
	pthread_cond_destroy(&p->filled);
	pthread_mutex_destroy(&p->mu);
	free(p->slots);
	free(p);
	return rc;
}
