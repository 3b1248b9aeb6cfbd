/* xml_walk.c: the walk over the XML parser's events in case, transaction
 * and event files (see xml_decode.c, which checks every event first). One
 * event at a time (no tree is ever built): the root gives
 * the kind, each element below it is a record, and the elements below a
 * record map to fields by their path ("debtor/address/city",
 * "invoice/amount/@currency"); unknown, repeated and foreign elements make
 * the record BAD_RECORD.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "xml_decode_int.h"

/* A record-level problem (BAD_RECORD); the first one is kept. */
static void bad_record(struct xml_state *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void bad_record(struct xml_state *st, const char *fmt, ...)
{
	va_list ap;

	if (st->rec->bad_record)
		return;
	st->rec->bad_record = true;
	va_start(ap, fmt);
	vsnprintf(st->rec->problem, sizeof(st->rec->problem), fmt, ap);
	va_end(ap);
}

static bool is_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return false;
	return true;
}

/* Containers are the element paths that have element paths below them. */
static void find_containers(struct xml_state *st)
{
	size_t n;
	const struct field_def *defs = record_fields(st->kind, &n);

	st->ncontainers = 0;
	for (size_t f = 0; f < n; f++) {
		const char *p = defs[f].xml_path;

		if (p == NULL)
			continue;
		for (size_t i = 0; p[i] != '\0'; i++) {
			bool known = false;

			if (p[i] != '/' || p[i + 1] == '@')
				continue;
			for (size_t c = 0; c < st->ncontainers; c++)
				if (st->containers[c].len == i && memcmp(st->containers[c].path, p, i) == 0)
					known = true;
			if (known)
				continue;
			if (st->ncontainers == MAX_CONTAINERS)
				return;
			st->containers[st->ncontainers].path = p;
			st->containers[st->ncontainers].len = i;
			st->ncontainers++;
		}
	}
}

static int container_index(const struct xml_state *st, const char *path, size_t len)
{
	for (size_t c = 0; c < st->ncontainers; c++)
		if (st->containers[c].len == len && memcmp(st->containers[c].path, path, len) == 0)
			return (int)c;
	return -1;
}

/* The documents read here: root element, namespace, record element. */
static const struct xml_root {
	const char *root;
	const char *ns;
	const char *record;
	enum file_kind kind;
} roots[] = {
	{ "caseFile", "urn:inkasso:case-file:1", "case", KIND_CASES },
	{ "transactionFile", "urn:inkasso:transaction-file:1", "transaction", KIND_TRANSACTIONS },
	{ "eventFile", "urn:inkasso:event-file:1", "event", KIND_EVENTS }, /* SPEC 16 */
};

static int on_root(struct xml_state *st, const struct xml_node *n, uint64_t line)
{
	const char *name = n->name;
	const char *ns = n->ns;
	const struct xml_root *r = NULL;
	char nm[NAME_SHOWN + 1];

	xml_shown(nm, sizeof(nm), name, NAME_SHOWN);
	for (size_t i = 0; name != NULL && i < sizeof(roots) / sizeof(roots[0]); i++)
		if (strcmp(name, roots[i].root) == 0)
			r = &roots[i];
	if (r == NULL)
		return xml_refuse(st, RC_FILE_MALFORMED, line,
				   "unknown xml root element '%s': expected 'caseFile', 'transactionFile' or 'eventFile'",
				   nm);
	st->ns = r->ns;
	st->root_name = r->root;
	st->record_name = r->record;
	if (ns == NULL || strcmp(ns, st->ns) != 0)
		return xml_refuse(st, RC_FILE_MALFORMED, line,
				   "the xml root element '%s' is not in the namespace '%s'", nm, st->ns);
	if (st->io->forced_kind != KIND_UNKNOWN && st->io->forced_kind != r->kind)
		return xml_refuse(st, RC_FILE_MALFORMED, line,
				   "the xml root element '%s' holds %s, not %s", nm, file_kind_name(r->kind),
				   file_kind_name(st->io->forced_kind));
	st->kind = r->kind;
	st->root_seen = true;
	st->frames[0].role = FR_ROOT;
	find_containers(st);
	return xml_tell_kind(st, r->kind, line);
}

/* The attributes of an element at path[0..path_len) ("" for the record). */
static void on_attributes(struct xml_state *st, const struct xml_node *n, size_t path_len, const char *elem)
{
	for (int i = 0; i < n->nattrs; i++) {
		struct xml_attr a;
		const char *name;
		size_t nlen, at = path_len;
		int f = -1;

		xml_attr(st, n, i, &a);
		/* xml:lang, xsi:schemaLocation and other qualified attributes
		 * are not data: ignore them. */
		if (a.ns != NULL || a.name == NULL)
			continue;
		name = a.name;
		nlen = strlen(name);
		if (at + 2 + nlen < PATH_BYTES) {
			if (at > 0)
				st->path[at++] = '/';
			st->path[at++] = '@';
			memcpy(st->path + at, name, nlen + 1);
			f = record_field_by_xml_path(st->kind, st->path);
		}
		if (f < 0 || f >= RECORD_MAX_FIELDS) {
			char nm[NAME_SHOWN + 1];

			xml_shown(nm, sizeof(nm), name, NAME_SHOWN);
			bad_record(st, "unknown attribute '%s' on '%s' in %s", nm, elem, st->record_name);
			continue;
		}
		st->seen_fields |= (uint64_t)1 << f;
		record_set_field(st->rec, f, a.value, a.len);
	}
}

static int deliver(struct xml_state *st)
{
	st->in_record = false;
	st->cur_record = 0;
	return xml_deliver(st, st->rec);
}

static int on_record_start(struct xml_state *st, const struct xml_node *n, uint64_t line)
{
	const char *name = n->name;
	const char *ns = n->ns;
	char nm[NAME_SHOWN + 1];

	xml_shown(nm, sizeof(nm), name, NAME_SHOWN);
	if (name == NULL || strcmp(name, st->record_name) != 0)
		return xml_refuse(st, RC_FILE_MALFORMED, line, "unexpected element '%s' in '%s': expected '%s'", nm,
				   st->root_name, st->record_name);
	if (ns == NULL || strcmp(ns, st->ns) != 0)
		return xml_refuse(st, RC_FILE_MALFORMED, line, "the element '%s' in '%s' is not in the namespace '%s'",
				   nm, st->root_name, st->ns);
	st->ordinal++;
	record_reset(st->rec, st->kind);
	st->rec->ordinal = st->ordinal;
	st->rec->line = line;
	st->in_record = true;
	st->cur_record = st->ordinal;
	st->seen_fields = 0;
	st->seen_containers = 0;
	st->skip_depth = -1;
	st->frames[1] = (struct frame){ FR_RECORD, -1, 0, 0 };
	on_attributes(st, n, 0, st->record_name);
	return 0;
}

/* An element below a record, at depth >= 2. */
static void on_field_start(struct xml_state *st, const struct xml_node *n, int depth)
{
	const struct frame *parent = &st->frames[depth - 1];
	struct frame *fr = &st->frames[depth];
	const char *name = n->name;
	const char *ns = n->ns;
	char nm[NAME_SHOWN + 1] = "";
	size_t at = parent->path_len, nlen;
	int f = -1, c = -1;

	if (name == NULL)
		name = "";
	nlen = strlen(name);
	/* libxml2 interns namespace names: the same pointer, the same name */
	if (ns == NULL || (ns != st->ns_seen && strcmp(ns, st->ns) != 0)) {
		xml_shown(nm, sizeof(nm), name, NAME_SHOWN);
		bad_record(st, "element '%s' in %s is in a foreign namespace", nm, st->record_name);
		goto skip;
	}
	st->ns_seen = ns;
	if (parent->role == FR_LEAF || at + 1 + nlen >= PATH_BYTES) {
		xml_shown(nm, sizeof(nm), name, NAME_SHOWN);
		bad_record(st, "unknown element '%s' in %s", nm, st->record_name);
		goto skip;
	}
	if (at > 0)
		st->path[at++] = '/';
	fr->name_off = at;
	memcpy(st->path + at, name, nlen + 1);
	fr->path_len = at + nlen;
	/* containers first: a handful, compared by length first; a field
	 * lookup would try every field before giving up on one */
	c = container_index(st, st->path, fr->path_len);
	if (c < 0)
		f = record_field_by_xml_path_from(st->kind, st->path, &st->field_hint);
	if (f >= RECORD_MAX_FIELDS)
		f = -1;
	if (f < 0 && c < 0) {
		xml_shown(nm, sizeof(nm), name, NAME_SHOWN);
		bad_record(st, "unknown element '%s' in %s", nm, st->record_name);
		goto skip;
	}
	if (f >= 0 ? (st->seen_fields & ((uint64_t)1 << f)) != 0 : (st->seen_containers & (1u << c)) != 0) {
		if (f >= 0)
			st->rec->f[f].flags |= FIELD_REPEATED;
		xml_shown(nm, sizeof(nm), name, NAME_SHOWN);
		bad_record(st, "repeated element '%s' in %s", nm, st->record_name);
		goto skip;
	}
	if (f >= 0) {
		st->seen_fields |= (uint64_t)1 << f;
		fr->role = FR_LEAF;
		fr->field = f;
		/* Present, and empty until text arrives. */
		record_set_field(st->rec, f, "", 0);
	} else {
		st->seen_containers |= 1u << c;
		fr->role = FR_CONTAINER;
		fr->field = -1;
	}
	if (n->nattrs > 0) {
		xml_shown(nm, sizeof(nm), name, NAME_SHOWN);
		on_attributes(st, n, fr->path_len, nm);
	}
	return;
skip:
	st->skip_depth = depth;
}

/* A piece of text or CDATA whose parent is at depth - 1. */
static int on_text(struct xml_state *st, int depth, const char *value, size_t len)
{
	const struct frame *owner;
	bool blank;

	if (depth < 1 || (st->skip_depth >= 0 && depth > st->skip_depth))
		return 0;
	blank = is_blank(value, len);
	owner = &st->frames[depth - 1];
	switch (owner->role) {
	case FR_ROOT:
		if (!blank)
			return xml_refuse(st, RC_FILE_MALFORMED, xml_parser_line(st),
					   "the xml file has text directly inside '%s'", st->root_name);
		break;
	case FR_RECORD:
		if (!blank)
			bad_record(st, "text directly inside %s", st->record_name);
		break;
	case FR_CONTAINER:
		if (!blank) {
			char nm[NAME_SHOWN + 1];

			xml_shown(nm, sizeof(nm), st->path + owner->name_off, owner->path_len - owner->name_off);
			bad_record(st, "text directly inside element '%s' in %s", nm, st->record_name);
		}
		break;
	case FR_LEAF:
		record_append_field(st->rec, owner->field, value, len);
		break;
	}
	return 0;
}

static int on_element(struct xml_state *st, const struct xml_node *n)
{
	if (st->skip_depth >= 0 && n->depth > st->skip_depth)
		return 0;
	if (n->depth == 0)
		return on_root(st, n, n->line);
	if (!st->root_seen)
		return xml_refuse(st, RC_FILE_MALFORMED, n->line, "the xml file has no root element");
	if (n->depth == 1)
		return on_record_start(st, n, n->line);
	on_field_start(st, n, n->depth);
	return 0;
}

static int on_end(struct xml_state *st, int depth)
{
	if (st->skip_depth >= 0 && depth >= st->skip_depth) {
		if (depth == st->skip_depth)
			st->skip_depth = -1;
		return 0;
	}
	if (depth == 0)
		st->root_done = true;
	else if (depth == 1 && st->in_record)
		return deliver(st);
	return 0;
}

int xml_walk_visit(struct xml_state *st, const struct xml_node *n)
{
	switch (n->type) {
	case XN_ELEMENT:
		return on_element(st, n);
	case XN_END:
		return on_end(st, n->depth);
	case XN_TEXT:
		break;
	}
	return on_text(st, n->depth, n->value, n->len);
}
