/* lsan_hooks.h: what LeakSanitizer (the sanitizer build) asks a program
 * for: fontconfig keeps the patterns of the PDF statements' font files
 * (pdf_font.c) past FcConfigDestroy, a few kilobytes once per process
 * that are not the engine's to free; suppressed quietly, since the tests
 * compare stderr. The functions are defined here: include this header
 * once, in the file with the program's main(). */
#ifndef SETTLEMENT_LSAN_HOOKS_H
#define SETTLEMENT_LSAN_HOOKS_H

const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
	return "print_suppressions=0";
}

const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libfontconfig.so\n";
}

#endif
