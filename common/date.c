#include "date.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

bool date_is_leap(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int date_days_in_month(int year, int month)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (month < 1 || month > 12)
		return 0;
	if (month == 2 && date_is_leap(year))
		return 29;
	return days[month - 1];
}

bool date_valid(int year, int month, int day)
{
	return year >= 1 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 &&
	       day <= date_days_in_month(year, month);
}

/* Howard Hinnant's days_from_civil. */
int32_t date_from_ymd(int year, int month, int day)
{
	int y = year - (month <= 2);
	int era = (y >= 0 ? y : y - 399) / 400;
	int yoe = y - era * 400;
	int doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return (int32_t)(era * 146097 + doe - 719468);
}

void date_to_ymd(int32_t days, int *year, int *month, int *day)
{
	int z = days + 719468;
	int era = (z >= 0 ? z : z - 146096) / 146097;
	int doe = z - era * 146097;
	int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int y = yoe + era * 400;
	int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int mp = (5 * doy + 2) / 153;
	int d = doy - (153 * mp + 2) / 5 + 1;
	int m = mp + (mp < 10 ? 3 : -9);

	*year = y + (m <= 2);
	*month = m;
	*day = d;
}

static int digits(const char *s, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int date_parse(int32_t *out, const char *s, size_t len)
{
	int y, m, d;

	if (len != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	y = digits(s, 4);
	m = digits(s + 5, 2);
	d = digits(s + 8, 2);
	if (y < 1000 || m < 0 || d < 0 || !date_valid(y, m, d))
		return -1;
	*out = date_from_ymd(y, m, d);
	return 0;
}

int date_parse_period(int *year, int *month, const char *s)
{
	int y, m;

	if (strlen(s) != 7 || s[4] != '-')
		return -1;
	y = digits(s, 4);
	m = digits(s + 5, 2);
	if (y < 1000 || m < 1 || m > 12)
		return -1;
	*year = y;
	*month = m;
	return 0;
}

char *date_format(char *buf, size_t size, int32_t days)
{
	int y, m, d;

	date_to_ymd(days, &y, &m, &d);
	if (size >= DATE_FMT_MAX && y >= 0 && y <= 9999) {
		/* without printf (a PDF statement formats one a line, three times) */
		const int v[3] = { y, m, d };
		const int digits[3] = { 4, 2, 2 };
		size_t o = 0;

		for (int k = 0; k < 3; k++) {
			for (int i = digits[k] - 1, x = v[k]; i >= 0; i--, x /= 10)
				buf[o + (size_t)i] = (char)('0' + x % 10);
			o += (size_t)digits[k];
			buf[o++] = k < 2 ? '-' : '\0';
		}
		return buf;
	}
	snprintf(buf, size, "%04d-%02d-%02d", y, m, d);
	return buf;
}

int32_t date_today(void)
{
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	return date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}
