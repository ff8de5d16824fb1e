/*
 * icuuc.dll stub for the Wine build prefix ONLY. Never shipped, never installed on a real PC.
 *
 * Qt >= 6.10's Qt6Core.dll imports about 20 ucnv_* functions from Windows' own icuuc.dll
 * (present on Windows 10 1703 and later). Wine 8 has no icuuc.dll, so `import PySide6.QtCore`
 * fails there with "DLL load failed". This stub exports the same names; every converter open
 * fails (U_FILE_ACCESS_ERROR), so Qt falls back to its built-in UTF-8/UTF-16/Latin-1 codecs,
 * which is all the app uses.
 *
 * Built by build/winbuild.py with x86_64-w64-mingw32-gcc into build/_work/ and copied into
 * the Wine prefix's C:\windows\system32 for PyInstaller and for the smoke test.
 * The export list is checked against Qt6Core.dll's import table at build time.
 */
#include <stddef.h>
#include <stdint.h>

typedef int32_t UErrorCode;   /* ICU's enum; 0 = U_ZERO_ERROR, > 0 failure */
typedef uint16_t UChar;
typedef int8_t UBool;
typedef void UConverter;
typedef void (*UConverterCallback)(void);

#define U_ILLEGAL_ARGUMENT_ERROR 1
#define U_FILE_ACCESS_ERROR 4
#define EXPORT __declspec(dllexport)

static void fail(UErrorCode *err, UErrorCode code) {
    if (err && *err <= 0) *err = code;
}

EXPORT UConverter *ucnv_open(const char *name, UErrorCode *err) {
    (void)name;
    fail(err, U_FILE_ACCESS_ERROR);
    return NULL;
}
EXPORT void ucnv_close(UConverter *cnv) { (void)cnv; }
EXPORT void ucnv_reset(UConverter *cnv) { (void)cnv; }
EXPORT int8_t ucnv_getMaxCharSize(const UConverter *cnv) { (void)cnv; return 1; }
EXPORT const char *ucnv_getName(const UConverter *cnv, UErrorCode *err) {
    (void)cnv; fail(err, U_ILLEGAL_ARGUMENT_ERROR); return NULL;
}
EXPORT const char *ucnv_getStandardName(const char *name, const char *standard, UErrorCode *err) {
    (void)name; (void)standard; fail(err, U_ILLEGAL_ARGUMENT_ERROR); return NULL;
}
EXPORT int32_t ucnv_countAvailable(void) { return 0; }
EXPORT const char *ucnv_getAvailableName(int32_t n) { (void)n; return NULL; }

EXPORT void ucnv_getToUCallBack(const UConverter *cnv, UConverterCallback *action, const void **context) {
    (void)cnv; if (action) *action = NULL; if (context) *context = NULL;
}
EXPORT void ucnv_getFromUCallBack(const UConverter *cnv, UConverterCallback *action, const void **context) {
    (void)cnv; if (action) *action = NULL; if (context) *context = NULL;
}
EXPORT void ucnv_setToUCallBack(UConverter *cnv, UConverterCallback a, const void *c, UConverterCallback *oa,
                                const void **oc, UErrorCode *err) {
    (void)cnv; (void)a; (void)c; if (oa) *oa = NULL; if (oc) *oc = NULL; fail(err, U_ILLEGAL_ARGUMENT_ERROR);
}
EXPORT void ucnv_setFromUCallBack(UConverter *cnv, UConverterCallback a, const void *c, UConverterCallback *oa,
                                  const void **oc, UErrorCode *err) {
    (void)cnv; (void)a; (void)c; if (oa) *oa = NULL; if (oc) *oc = NULL; fail(err, U_ILLEGAL_ARGUMENT_ERROR);
}

EXPORT void ucnv_toUnicode(UConverter *cnv, UChar **target, const UChar *targetLimit, const char **source,
                           const char *sourceLimit, int32_t *offsets, UBool flush, UErrorCode *err) {
    (void)cnv; (void)target; (void)targetLimit; (void)source; (void)sourceLimit; (void)offsets; (void)flush;
    fail(err, U_ILLEGAL_ARGUMENT_ERROR);
}
EXPORT void ucnv_fromUnicode(UConverter *cnv, char **target, const char *targetLimit, const UChar **source,
                             const UChar *sourceLimit, int32_t *offsets, UBool flush, UErrorCode *err) {
    (void)cnv; (void)target; (void)targetLimit; (void)source; (void)sourceLimit; (void)offsets; (void)flush;
    fail(err, U_ILLEGAL_ARGUMENT_ERROR);
}
EXPORT int32_t ucnv_toUCountPending(const UConverter *cnv, UErrorCode *err) {
    (void)cnv; fail(err, U_ILLEGAL_ARGUMENT_ERROR); return 0;
}
EXPORT int32_t ucnv_fromUCountPending(const UConverter *cnv, UErrorCode *err) {
    (void)cnv; fail(err, U_ILLEGAL_ARGUMENT_ERROR); return 0;
}
EXPORT void ucnv_cbToUWriteUChars(void *args, const UChar *source, int32_t length, int32_t offsetIndex,
                                  UErrorCode *err) {
    (void)args; (void)source; (void)length; (void)offsetIndex; fail(err, U_ILLEGAL_ARGUMENT_ERROR);
}
EXPORT void ucnv_cbFromUWriteUChars(void *args, const UChar **source, const UChar *sourceLimit,
                                    int32_t offsetIndex, UErrorCode *err) {
    (void)args; (void)source; (void)sourceLimit; (void)offsetIndex; fail(err, U_ILLEGAL_ARGUMENT_ERROR);
}

/* The standard substitute callbacks: never reached, since no converter is ever opened. */
EXPORT void UCNV_TO_U_CALLBACK_SUBSTITUTE(const void *context, void *args, const char *units, int32_t length,
                                          int reason, UErrorCode *err) {
    (void)context; (void)args; (void)units; (void)length; (void)reason; fail(err, U_ILLEGAL_ARGUMENT_ERROR);
}
EXPORT void UCNV_FROM_U_CALLBACK_SUBSTITUTE(const void *context, void *args, const UChar *units, int32_t length,
                                            int32_t codePoint, int reason, UErrorCode *err) {
    (void)context; (void)args; (void)units; (void)length; (void)codePoint; (void)reason;
    fail(err, U_ILLEGAL_ARGUMENT_ERROR);
}
