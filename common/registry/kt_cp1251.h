/* kt_cp1251: Windows-1251 <-> Unicode by table (no iconv needed for the writer, and the
 * generator's Windows-1251 output does not depend on the C library's charsets). */
#ifndef KT_CP1251_H
#define KT_CP1251_H

#include <stdint.h>

/* The code point of a Windows-1251 byte; 0 for 0x98, the one unassigned byte. */
uint32_t kt_cp1251_to_u(unsigned char b);
/* The Windows-1251 byte of a code point, -1 when the charset has none. */
int kt_cp1251_from_u(uint32_t cp);

#endif
