// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Which program opens a connection: at the end of each connect() and of each sendto()
 * to an address, the socket's protocol and both ends are read in the kernel with the
 * process (pid, user, the program's real path), so the network sensor can name the
 * program of a connection even when it lasted a millisecond. A datagram socket sending
 * to the same place again is not reported again. The agent's own calls are left out.
 *
 * Quel programme ouvre une connexion : à la fin de chaque connect() et sendto() vers une
 * adresse, le protocole et les deux extrémités de la socket sont lus dans le noyau avec
 * le processus.
 *
 * The record layout is read by agent/src/sensors/network/owners.rs: keep them in step.
 */
#include "kernel_types.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "path.h"
#include "task.h"

#define AF_INET 2
#define AF_INET6 10
#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define EINPROGRESS 115

struct sys_enter {
	u64 common;
	int nr;
	int pad;
	u64 args[6];
};

struct sys_exit {
	u64 common;
	int nr;
	int pad;
	long ret;
};

struct conn_record {
	u32 pid;
	u32 uid;
	u16 family;
	u16 type;
	u16 local_port;
	u16 remote_port; /* network order, as the socket keeps it */
	u8 local_addr[16];
	u8 remote_addr[16];
	u32 flags;
	u16 exe_len;
	u16 reserved;
	u32 ppid;
	u32 pad;
	char comm[16];
	char exe[PATH_BUF];
	/* Not sent: where read_path writes next. */
	u32 walk_off;
};

/* A call on its way: the descriptor and, for sendto, the destination. */
struct pending {
	int fd;
	int pad;
	u64 addr;
};

/* Room for about 2,000 connections waiting to be read (records of about 120 bytes; 180
 * if every path were as long as it may be): the agent maps the ring twice (for
 * wrap-around), so each byte here counts twice in its memory. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 << 10);
} conn_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct conn_record);
} conn_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} conn_drops SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, u64);
	__type(value, struct pending);
} in_flight SEC(".maps");

/* (socket, local port, destination) already reported for sendto. */
struct dest_key {
	u64 sk;
	u8 addr[16];
	u16 port;
	u16 local_port;
	u16 pad[2];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct dest_key);
	__type(value, u8);
} reported SEC(".maps");


static __always_inline int remember(int fd, u64 addr)
{
	if (is_agent())
		return 0;
	u64 id = bpf_get_current_pid_tgid();
	struct pending p = { .fd = fd, .addr = addr };

	bpf_map_update_elem(&in_flight, &id, &p, BPF_ANY);
	return 0;
}

static __always_inline struct socket *socket_of(int fd)
{
	struct file *file = file_of(fd);

	if (!file)
		return NULL;
	return BPF_CORE_READ(file, private_data);
}

static __always_inline int finish(long ret)
{
	u64 id = bpf_get_current_pid_tgid();
	struct pending *p = bpf_map_lookup_elem(&in_flight, &id);

	if (!p)
		return 0;
	int fd = p->fd;
	u64 addr = p->addr;

	bpf_map_delete_elem(&in_flight, &id);
	if (ret < 0 && ret != -EINPROGRESS)
		return 0;
	struct socket *sock = socket_of(fd);

	if (!sock)
		return 0;
	short type = BPF_CORE_READ(sock, type);
	struct sock *sk = BPF_CORE_READ(sock, sk);
	u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);

	if ((type != SOCK_STREAM && type != SOCK_DGRAM) || (family != AF_INET && family != AF_INET6))
		return 0;
	u32 zero = 0;
	struct conn_record *r = bpf_map_lookup_elem(&conn_scratch, &zero);

	if (!r)
		return 0;
	__builtin_memset(r->local_addr, 0, 16);
	__builtin_memset(r->remote_addr, 0, 16);
	r->family = family;
	r->type = type;
	r->local_port = BPF_CORE_READ(sk, __sk_common.skc_num);
	if (family == AF_INET) {
		u32 local = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		u32 remote = BPF_CORE_READ(sk, __sk_common.skc_daddr);

		__builtin_memcpy(r->local_addr, &local, 4);
		__builtin_memcpy(r->remote_addr, &remote, 4);
	} else {
		bpf_core_read(r->local_addr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_core_read(r->remote_addr, 16, &sk->__sk_common.skc_v6_daddr);
	}
	r->remote_port = BPF_CORE_READ(sk, __sk_common.skc_dport);
	/* sendto names its destination; the socket itself may have none. */
	if (addr) {
		u16 dest_family = 0;

		bpf_probe_read_user(&dest_family, sizeof(dest_family), (void *)addr);
		bpf_probe_read_user(&r->remote_port, sizeof(r->remote_port), (void *)addr + 2);
		__builtin_memset(r->remote_addr, 0, 16);
		if (dest_family == AF_INET)
			bpf_probe_read_user(r->remote_addr, 4, (void *)addr + 4);
		else if (dest_family == AF_INET6)
			bpf_probe_read_user(r->remote_addr, 16, (void *)addr + 8);
		else
			return 0;
	}
	if (addr) {
		/* A datagram socket sending to the same place again is reported once; its
		 * local port is in the key, as a closed socket's memory is soon reused. */
		struct dest_key key = { .sk = (u64)sk, .port = r->remote_port,
					.local_port = r->local_port };
		u8 one = 1;

		__builtin_memcpy(key.addr, r->remote_addr, 16);
		if (bpf_map_update_elem(&reported, &key, &one, BPF_NOEXIST) != 0)
			return 0;
	}
	r->pid = id >> 32;
	r->uid = (u32)bpf_get_current_uid_gid();
	r->flags = 0;
	bpf_get_current_comm(r->comm, sizeof(r->comm));
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	r->ppid = BPF_CORE_READ(task, real_parent, tgid);
	r->exe_len = read_exe(&r->walk_off, &r->flags, r->exe, task, 1);
	/* Only what was filled goes into the ring (the path comes last): a record is then
	 * about a tenth of its full size, and a burst of connections fits. */
	u64 size = offsetof(struct conn_record, exe) + r->exe_len;
	if (size > offsetof(struct conn_record, walk_off))
		size = offsetof(struct conn_record, walk_off);
	if (bpf_ringbuf_output(&conn_events, r, size, 0) != 0) {
		u64 *dropped = bpf_map_lookup_elem(&conn_drops, &zero);

		if (dropped)
			__sync_fetch_and_add(dropped, 1);
	}
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_connect")
int on_connect(struct sys_enter *ctx) { return remember(ctx->args[0], 0); }

SEC("tracepoint/syscalls/sys_exit_connect")
int on_connect_done(struct sys_exit *ctx) { return finish(ctx->ret); }

SEC("tracepoint/syscalls/sys_enter_sendto")
int on_sendto(struct sys_enter *ctx)
{
	/* Only a send that names where it goes: a connected socket was seen at connect(). */
	if (!ctx->args[4])
		return 0;
	return remember(ctx->args[0], ctx->args[4]);
}

SEC("tracepoint/syscalls/sys_exit_sendto")
int on_sendto_done(struct sys_exit *ctx) { return finish(ctx->ret); }

char LICENSE[] SEC("license") = "Dual BSD/GPL";
