/*
 * bcryptprimitives.dll stub for the Wine build and test prefixes ONLY. Never shipped.
 *
 * cryptography >= 44 is built with a Rust toolchain whose standard library gets random bytes from
 * ProcessPrng() in bcryptprimitives.dll (Windows 10 and later have it). Wine 8 has no such DLL,
 * so `import cryptography` fails under Wine with "DLL load failed while importing _rust".
 * This stub implements ProcessPrng with BCryptGenRandom (the system RNG, which Wine has).
 *
 * Built by build/dist_windows.py with x86_64-w64-mingw32-gcc (-lbcrypt) and copied into the Wine
 * prefix's C:\windows\system32, like the icuuc stub. The export list is checked at build time
 * against what cryptography's _rust.pyd imports.
 */
#include <windows.h>
#include <bcrypt.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T size) {
    while (size > 0) {
        ULONG chunk = size > 0x40000000 ? 0x40000000 : (ULONG)size;
        if (BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0) {
            /* the real ProcessPrng never fails; make a failure impossible to miss */
            RaiseException(0xE0000001, EXCEPTION_NONCONTINUABLE, 0, NULL);
        }
        data += chunk;
        size -= chunk;
    }
    return TRUE;
}
