/* loader.c - loading guest images: ELF64 RISC-V executables (segments at
 * their physical addresses, entry, tohost/fromhost symbols) and raw binaries.
 * Every field of the file is checked before use: images are untrusted. */
#include "machine/machine.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

int read_whole_file(const char *path, uint8_t **data, size_t *len, cairn_errbuf *e)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		cairn_errorf(e, "cannot open '%s': %s", path, strerror(errno));
		return -ERR_NOENT;
	}
	struct stat st;
	if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode)) {
		cairn_errorf(e, "'%s' is not a regular file", path);
		fclose(f);
		return -ERR_INVAL;
	}
	*len = (size_t)st.st_size;
	*data = malloc(*len ? *len : 1);
	if (!*data || fread(*data, 1, *len, f) != *len) {
		cairn_errorf(e, "cannot read '%s'", path);
		free(*data);
		fclose(f);
		return -ERR_IO;
	}
	fclose(f);
	return 0;
}

/* Host pointer for [pa, pa+len) if it lies entirely in RAM. */
static uint8_t *guest_ptr(struct machine *m, uint64_t pa, uint64_t len)
{
	/* The loader writes what it maps; the boot ROM (reset vector) is not
	 * for images. */
	return mem_map_write(m->mem, pa, len);
}

static bool in_file(size_t flen, uint64_t off, uint64_t len)
{
	return off <= flen && len <= flen - off;
}

/* ELF structures are read field by field with the little-endian helpers:
 * the file puts them at any offset, so they are never cast in place. */
#define FIELD(type, p, s, f) ((s)->f = (__typeof__((s)->f))ld_le##type((p) + offsetof(__typeof__(*(s)), f)))

static void read_ehdr(const uint8_t *p, Elf64_Ehdr *e)
{
	memcpy(e->e_ident, p, EI_NIDENT);
	FIELD(16, p, e, e_type), FIELD(16, p, e, e_machine), FIELD(64, p, e, e_entry);
	FIELD(64, p, e, e_phoff), FIELD(64, p, e, e_shoff), FIELD(16, p, e, e_phentsize);
	FIELD(16, p, e, e_phnum), FIELD(16, p, e, e_shentsize), FIELD(16, p, e, e_shnum);
}

static void read_phdr(const uint8_t *p, Elf64_Phdr *h)
{
	FIELD(32, p, h, p_type), FIELD(64, p, h, p_offset), FIELD(64, p, h, p_paddr);
	FIELD(64, p, h, p_filesz), FIELD(64, p, h, p_memsz);
}

static void read_shdr(const uint8_t *p, Elf64_Shdr *h)
{
	FIELD(32, p, h, sh_type), FIELD(32, p, h, sh_link), FIELD(64, p, h, sh_offset), FIELD(64, p, h, sh_size);
}

static void read_sym(const uint8_t *p, Elf64_Sym *y)
{
	FIELD(32, p, y, st_name), FIELD(64, p, y, st_value);
}

static void scan_symbols(const uint8_t *d, const Elf64_Shdr *sym, const Elf64_Shdr *strs, struct elf_info *info)
{
	const char *str = (const char *)(d + strs->sh_offset);
	for (uint64_t k = 0; k < sym->sh_size / sizeof(Elf64_Sym); k++) {
		Elf64_Sym y;
		read_sym(d + sym->sh_offset + k * sizeof(Elf64_Sym), &y);
		if (y.st_name >= strs->sh_size || !memchr(str + y.st_name, 0, strs->sh_size - y.st_name))
			continue;
		if (!strcmp(str + y.st_name, "tohost"))
			info->tohost = y.st_value;
		else if (!strcmp(str + y.st_name, "fromhost"))
			info->fromhost = y.st_value;
	}
}

/* tohost/fromhost from the symbol table.  ELF allows one SHT_SYMTAB: only the
 * first is read, so a file of many sections cannot make this quadratic. */
static void find_htif_symbols(const uint8_t *d, size_t n, const Elf64_Ehdr *eh, struct elf_info *info)
{
	if (eh->e_shentsize != sizeof(Elf64_Shdr) || !in_file(n, eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr)))
		return;
	for (int s = 0; s < eh->e_shnum; s++) {
		Elf64_Shdr sym, strs;
		read_shdr(d + eh->e_shoff + (uint64_t)s * sizeof(Elf64_Shdr), &sym);
		if (sym.sh_type != SHT_SYMTAB)
			continue;
		if (sym.sh_link >= eh->e_shnum)
			return;
		read_shdr(d + eh->e_shoff + (uint64_t)sym.sh_link * sizeof(Elf64_Shdr), &strs);
		if (in_file(n, sym.sh_offset, sym.sh_size) && in_file(n, strs.sh_offset, strs.sh_size))
			scan_symbols(d, &sym, &strs, info);
		return;
	}
}

static int check_ehdr(const char *path, const uint8_t *d, size_t n, Elf64_Ehdr *eh, cairn_errbuf *e)
{
	if (n < sizeof *eh || d[EI_CLASS] != ELFCLASS64) {
		cairn_errorf(e, "'%s': not a 64-bit ELF file", path);
		return -ERR_FORMAT;
	}
	read_ehdr(d, eh);
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_machine != EM_RISCV) {
		cairn_errorf(e, "'%s': not a little-endian RISC-V ELF file", path);
		return -ERR_FORMAT;
	}
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN) {
		cairn_errorf(e, "'%s': ELF file is not an executable", path);
		return -ERR_FORMAT;
	}
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == 0 ||
	    !in_file(n, eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr))) {
		cairn_errorf(e, "'%s': truncated or malformed ELF program headers", path);
		return -ERR_FORMAT;
	}
	return 0;
}

/* A PT_LOAD segment to copy, with its program header's index for messages. */
struct seg {
	Elf64_Phdr ph;
	int index;
};

static int check_segment(struct machine *m, const char *path, size_t n, const struct seg *s)
{
	const Elf64_Phdr *ph = &s->ph;
	if (ph->p_filesz > ph->p_memsz || !in_file(n, ph->p_offset, ph->p_filesz)) {
		cairn_errorf(&m->err, "'%s': segment %d extends past the end of the file", path, s->index);
		return -ERR_FORMAT;
	}
	if (!mem_contains(m->mem, ph->p_paddr, ph->p_memsz)) { /* no write intent yet: only a check */
		cairn_errorf(&m->err, "'%s': segment %d at 0x%llx-0x%llx is outside guest RAM (0x%llx-0x%llx)", path, s->index,
			    (unsigned long long)ph->p_paddr, (unsigned long long)(ph->p_paddr + ph->p_memsz),
			    (unsigned long long)VIRT_DRAM_BASE, (unsigned long long)(VIRT_DRAM_BASE + m->cfg.ram_size));
		return -ERR_RANGE;
	}
	return 0;
}

static int by_paddr(const void *a, const void *b)
{
	uint64_t x = ((const struct seg *)a)->ph.p_paddr, y = ((const struct seg *)b)->ph.p_paddr;
	return x < y ? -1 : x > y;
}

/* Segments sorted by address must not overlap: then the bytes copied and
 * zeroed add up to at most the RAM size, however many headers there are. */
static int check_overlaps(const char *path, struct seg *segs, int count, cairn_errbuf *e)
{
	qsort(segs, (size_t)count, sizeof *segs, by_paddr);
	for (int k = 1; k < count; k++) {
		const Elf64_Phdr *a = &segs[k - 1].ph, *b = &segs[k].ph;
		if (b->p_paddr < a->p_paddr + a->p_memsz) {
			cairn_errorf(e, "'%s': segments %d and %d overlap at 0x%llx", path, segs[k - 1].index, segs[k].index,
				    (unsigned long long)b->p_paddr);
			return -ERR_FORMAT;
		}
	}
	return 0;
}

/* The PT_LOAD segments with bytes, each checked against the file and RAM. */
static int collect_segments(struct machine *m, const char *path, const uint8_t *d, size_t n, const Elf64_Ehdr *eh,
			    struct seg *segs, int *count)
{
	*count = 0;
	for (int k = 0; k < eh->e_phnum; k++) {
		struct seg s = { .index = k };
		read_phdr(d + eh->e_phoff + (uint64_t)k * sizeof(Elf64_Phdr), &s.ph);
		if (s.ph.p_type != PT_LOAD || s.ph.p_memsz == 0)
			continue;
		int err = check_segment(m, path, n, &s);
		if (err)
			return err;
		segs[(*count)++] = s;
	}
	if (!*count) {
		cairn_errorf(&m->err, "'%s': ELF file has no loadable segments", path);
		return -ERR_FORMAT;
	}
	return check_overlaps(path, segs, *count, &m->err);
}

static void copy_segments(struct machine *m, const uint8_t *d, const struct seg *segs, int count, struct elf_info *info)
{
	info->lo = UINT64_MAX;
	info->hi = 0;
	for (int k = 0; k < count; k++) {
		const Elf64_Phdr *ph = &segs[k].ph;
		uint8_t *dst = guest_ptr(m, ph->p_paddr, ph->p_memsz);
		memcpy(dst, d + ph->p_offset, ph->p_filesz);
		memset(dst + ph->p_filesz, 0, ph->p_memsz - ph->p_filesz);
		if (ph->p_paddr < info->lo)
			info->lo = ph->p_paddr;
		if (ph->p_paddr + ph->p_memsz > info->hi)
			info->hi = ph->p_paddr + ph->p_memsz;
	}
}

/* Everything is checked before the first byte is copied, so a bad file
 * leaves RAM as it was. */
static int load_elf(struct machine *m, const char *path, const uint8_t *d, size_t n, struct elf_info *info)
{
	Elf64_Ehdr eh;
	int count, err = check_ehdr(path, d, n, &eh, &m->err);
	if (err)
		return err;
	struct seg *segs = malloc(eh.e_phnum * sizeof *segs);
	if (!segs)
		return -ERR_NOMEM;
	err = collect_segments(m, path, d, n, &eh, segs, &count);
	if (!err) {
		copy_segments(m, d, segs, count, info);
		info->entry = eh.e_entry;
		find_htif_symbols(d, n, &eh, info);
	}
	free(segs);
	return err;
}

int load_image(struct machine *m, const char *path, uint64_t load_addr, struct elf_info *info)
{
	uint8_t *d;
	size_t n;
	int err = read_whole_file(path, &d, &n, &m->err);
	if (err)
		return err;
	err = load_buffer(m, path, d, n, load_addr, info);
	free(d);
	return err;
}

int load_buffer(struct machine *m, const char *path, const uint8_t *d, size_t n, uint64_t load_addr,
		struct elf_info *info)
{
	int err = 0;
	memset(info, 0, sizeof *info);
	if (n == 0) {
		cairn_errorf(&m->err, "'%s' is empty", path);
		err = -ERR_FORMAT;
	} else if (n >= 4 && !memcmp(d, ELFMAG, SELFMAG)) {
		err = load_elf(m, path, d, n, info);
	} else {
		uint8_t *dst = guest_ptr(m, load_addr, n);
		if (!dst) {
			cairn_errorf(&m->err, "'%s' (%zu bytes) does not fit in guest RAM at 0x%llx (-m %llu MiB)", path, n,
				    (unsigned long long)load_addr, (unsigned long long)(m->cfg.ram_size >> 20));
			err = -ERR_RANGE;
		} else {
			memcpy(dst, d, n);
			info->entry = info->lo = load_addr;
			info->hi = load_addr + n;
		}
	}
	return err;
}
