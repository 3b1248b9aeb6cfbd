/* date.h: calendar dates as int32_t days since 1970-01-01 (proleptic
 * Gregorian). Only strict ISO 8601 YYYY-MM-DD is accepted. */
#ifndef COMMON_DATE_H
#define COMMON_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DATE_FMT_MAX 11 /* "YYYY-MM-DD" and NUL */

bool date_is_leap(int year);
int date_days_in_month(int year, int month);
bool date_valid(int year, int month, int day);
int32_t date_from_ymd(int year, int month, int day);
void date_to_ymd(int32_t days, int *year, int *month, int *day);

/* Parse exactly "YYYY-MM-DD" (year 1000..9999), a real calendar date.
 * s need not be NUL-terminated. Returns 0 or -1. */
int date_parse(int32_t *out, const char *s, size_t len);
/* Parse "YYYY-MM" into year and month. Returns 0 or -1. */
int date_parse_period(int *year, int *month, const char *s);
char *date_format(char *buf, size_t size, int32_t days);
/* Today's local date. */
int32_t date_today(void);

#endif
