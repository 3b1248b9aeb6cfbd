/* locks.c: see locks.h. */
#include "locks.h"

#include "log.h"

int lock_take(PGconn *conn, long long batch_id, const char *try_sql, const char *lock_sql, const char *holders_sql,
	      const char *what, struct err *e)
{
	char got[8], who[256];
	int rc;

	if ((rc = db_value(conn, try_sql, 0, NULL, got, sizeof(got), e)) != 0)
		return rc;
	if (got[0] == 't')
		return 0;
	if ((rc = db_value(conn, holders_sql, 0, NULL, who, sizeof(who), e)) != 0)
		return rc;
	log_info("batch %lld: waiting for %s to finish: it holds %s", batch_id,
		 who[0] != '\0' ? who : "another loader", what);
	return db_value(conn, lock_sql, 0, NULL, NULL, 0, e);
}
