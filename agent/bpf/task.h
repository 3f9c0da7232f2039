/* What Vigie's eBPF programs read of the current process besides paths. */
#ifndef VIGIE_TASK_H
#define VIGIE_TASK_H

/* Set by the agent after loading: its own process id, whose calls are left out. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u32);
} agent_pid SEC(".maps");

/* Whether the current process is the agent itself. */
static __always_inline int is_agent(void)
{
	u32 zero = 0;
	u32 *own = bpf_map_lookup_elem(&agent_pid, &zero);

	return own && *own == (u32)(bpf_get_current_pid_tgid() >> 32);
}

/* The file behind descriptor `fd` of the current process. */
static __always_inline struct file *file_of(int fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *file = NULL;

	if (fd < 0 || fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]);
	return file;
}

#endif
