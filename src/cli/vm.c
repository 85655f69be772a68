/* vm.c - `cairn vm`: one RISC-V machine from qemu-system-riscv64 options,
 * run as the one-VM case of the hypervisor (src/hv/): the same scheduler,
 * control plane and lifecycle as `cairn hv`.  Its exit code is the guest's. */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/hv.h"
#include "machine/machine.h"

static void vm_usage(FILE *f)
{
	fprintf(f,
		"usage: cairn vm [options]   (qemu-system-riscv64 compatible)\n"
		"  -M, -machine virt[,dumpdtb=FILE]  the board (QEMU's virt; the only one)\n"
		"  -m [size=]SIZE         RAM size (default 128M; suffixes K M G T, plain number = MiB)\n"
		"  -smp [cpus=]N[,maxcpus=N,sockets=N,cores=N,threads=N]  harts (1-%d)\n"
		"  -bios default|none|FILE  firmware at 0x80000000 (default: Debian's OpenSBI)\n"
		"  -kernel FILE           kernel (Linux Image, ELF or raw) or bare-metal program\n"
		"  -initrd FILE           initial ramdisk\n"
		"  -append STRING         kernel command line\n"
		"  -dtb FILE              use this device tree instead of the generated one\n"
		"  -drive file=F,format=raw,if=virtio[,readonly=on][,snapshot=on][,serial=S][,locking=off]\n"
		"  -drive if=none,id=ID,file=F,format=raw -device virtio-blk-device,drive=ID\n"
		"  -netdev user,id=ID[,restrict=on][,net=ADDR/MASK][,host=IP][,dns=IP][,dhcpstart=IP]\n"
		"         [,hostfwd=tcp:[HADDR]:HPORT-[GADDR]:GPORT]...[,guestfwd=tcp:IP:PORT-cmd:CMD]...\n"
		"         -device virtio-net-device,netdev=ID[,mac=52:54:00:12:34:56]\n"
		"  -device virtio-rng-device | virtio-serial-device [-device virtconsole]\n"
		"  -snapshot              disk writes go to a temporary overlay; image files are untouched\n"
		"  -serial stdio|mon:stdio  the console on stdio (the default)\n"
		"  -serial file:PATH | null  the console into a file, or nowhere\n"
		"  -serial unix:PATH,server=on[,wait=off]  the console on a unix socket (recent output replayed)\n"
		"  -chardev socket,id=ID,path=PATH,server=on[,wait=off] | file,id=ID,path=PATH | null,id=ID\n"
		"                         with -serial chardev:ID\n"
		"  -name NAME             the VM's name (QMP query-name, cairn hv)\n"
		"  -S                     do not start the harts (QMP cont starts them)\n"
		"  -no-shutdown           stay, stopped, when the guest powers off (QMP system_reset restarts it)\n"
		"  -qmp unix:PATH,server,nowait | tcp:HOST:PORT,server,nowait  QEMU's QMP control socket\n"
		"  -monitor stdio|unix:PATH,server,nowait  QEMU's human monitor\n"
		"  --threads N            host worker threads for the harts (default: one per host core)\n"
		"  -nographic             console on stdio (the default)\n"
		"  -display none          accepted, no effect\n"
		"  -d in_asm              trace executed instructions to stderr (or -D FILE)\n"
		"  -D FILE                write -d output to FILE\n"
		"  Lists take QEMU's syntax: ',,' is a literal comma, a bare 'key' means key=on.\n"
		"  -h, --help             this text\n", VIRT_MAX_HARTS);
}

/* --threads N (cairn's own option, not QEMU's): taken out of argv. */
static int take_threads(int *argc, char **argv, int *threads)
{
	for (int k = 1; k < *argc; k++) {
		if (strcmp(argv[k], "--threads") && strcmp(argv[k], "-threads"))
			continue;
		char *end;
		long n = k + 1 < *argc ? strtol(argv[k + 1], &end, 10) : 0;
		if (k + 1 >= *argc || *end || n < 1 || n > 1024) {
			cairn_error("vm: --threads takes a number of host threads, 1 to 1024");
			return -1;
		}
		*threads = (int)n;
		memmove(&argv[k], &argv[k + 2], (size_t)(*argc - k - 2) * sizeof *argv);
		*argc -= 2;
		k--;
	}
	return 0;
}

int cli_vm(int argc, char **argv)
{
	for (int k = 1; k < argc; k++)
		if (!strcmp(argv[k], "-h") || !strcmp(argv[k], "-help") || !strcmp(argv[k], "--help")) {
			vm_usage(stdout);
			return 0;
		}
	struct hv_options ho = { 0 };
	if (take_threads(&argc, argv, &ho.threads))
		return 1;
	struct hv *hv;
	if (cli_signals_start() || hv_create(&hv, &ho)) {
		cairn_error("vm: cannot start the scheduler");
		return 1;
	}
	struct vm *vm;
	cairn_errbuf e = { 0 };
	int r = vm_create(hv, argc - 1, argv + 1, &vm, &e);
	if (r) {
		if (r < 0)
			cairn_error("%s", e.msg);
		hv_destroy(hv);
		return r < 0 ? 1 : 0; /* 1: -machine dumpdtb done */
	}
	struct cli_control ctl = { 0 };
	if (cli_control_open(hv, vm, "vm", &ctl)) {
		hv_destroy(hv);
		return 1;
	}
	/* (a QMP quit may have ended it already: nothing to start then) */
	if (vm_state(vm) == VM_PRELAUNCH && !vm_start_paused(vm) && vm_start(vm) && vm_state(vm) != VM_SHUTDOWN) {
		cairn_error("vm: cannot start");
		cli_control_close(&ctl);
		hv_destroy(hv);
		return 1;
	}
	cli_signals_target(hv);
	int code = hv_run(hv);
	cli_signals_target(NULL);
	cli_control_close(&ctl); /* before the VMs go: their last replies are sent */
	hv_destroy(hv);
	return code;
}
