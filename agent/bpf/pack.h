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

/* Sends the `len` bytes packed in `buf` into ring buffer `ring`, counting in the per-CPU
 * counter `drops` a record the ring has no room for. */
static __always_inline void send_packed(void *ring, void *drops, char *buf, u32 len)
{
	u32 zero = 0;

	if (len > PACKED)
		len = PACKED;
	if (bpf_ringbuf_output(ring, buf, len, 0) != 0) {
		u64 *dropped = bpf_map_lookup_elem(drops, &zero);

		if (dropped)
			__sync_fetch_and_add(dropped, 1);
	}
}

#endif
