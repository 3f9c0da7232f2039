/* Packing a record for a ring buffer: the record's header, then each variable field's
 * used bytes one after the other, as the header's lengths say, so a record weighs its
 * content — a hundred bytes or so — not the kilobytes of the largest possible one. */
#ifndef VIGIE_PACK_H
#define VIGIE_PACK_H

/* Twice the largest record, so every offset can be masked below half. */
#define PACKED 16384

struct packed {
	char buf[PACKED];
};

/* Appends `len` bytes of `src` (at most `max`) at `off` in `buf`; the next offset. */
static __always_inline u32 append(char *buf, u32 off, const char *src, u32 len, u32 max)
{
	if (len > max)
		len = max;
	off &= (PACKED / 2) - 1;
	if (len > 0)
		bpf_probe_read_kernel(buf + off, len, src);
	return off + len;
}

#endif
