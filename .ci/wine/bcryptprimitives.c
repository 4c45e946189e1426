/* Wine 8 has no bcryptprimitives.dll, and Rust's std for Windows imports
 * ProcessPrng from it for its random numbers (HashMap's keys). This DLL
 * gives Wine one, built on the older RtlGenRandom (SystemFunction036 in
 * advapi32), which Wine has. Only the cross stage of .ci/run uses it. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    /* RtlGenRandom takes a ULONG: fill a larger buffer in pieces. */
    while (length > 0) {
        ULONG piece = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, piece))
            return FALSE;
        data += piece;
        length -= piece;
    }
    return TRUE;
}
