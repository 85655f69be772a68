/* loader.c - loading guest images: ELF64 RISC-V executables (segments at
 * their physical addresses, entry, tohost/fromhost symbols) and raw binaries.
 * Every field of the file is checked before use: images are untrusted. */
#include "machine/machine.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

int read_whole_file(const char *path, uint8_t **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		cairn_error("cannot open '%s': %s", path, strerror(errno));
		return -ERR_NOENT;
	}
	struct stat st;
	if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode)) {
		cairn_error("'%s' is not a regular file", path);
		fclose(f);
		return -ERR_INVAL;
	}
	*len = (size_t)st.st_size;
	*data = malloc(*len ? *len : 1);
	if (!*data || fread(*data, 1, *len, f) != *len) {
		cairn_error("cannot read '%s'", path);
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

static void find_htif_symbols(const uint8_t *d, size_t n, const Elf64_Ehdr *eh, struct elf_info *info)
{
	if (eh->e_shentsize != sizeof(Elf64_Shdr) || !in_file(n, eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr)))
		return;
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(d + eh->e_shoff);
	for (int s = 0; s < eh->e_shnum; s++) {
		if (sh[s].sh_type != SHT_SYMTAB || sh[s].sh_link >= eh->e_shnum)
			continue;
		const Elf64_Shdr *strs = &sh[sh[s].sh_link];
		if (!in_file(n, sh[s].sh_offset, sh[s].sh_size) || !in_file(n, strs->sh_offset, strs->sh_size))
			continue;
		const Elf64_Sym *sym = (const Elf64_Sym *)(d + sh[s].sh_offset);
		const char *str = (const char *)(d + strs->sh_offset);
		for (size_t k = 0; k < sh[s].sh_size / sizeof *sym; k++) {
			if (sym[k].st_name >= strs->sh_size)
				continue;
			const char *name = str + sym[k].st_name;
			size_t room = strs->sh_size - sym[k].st_name;
			if (!memchr(name, 0, room))
				continue;
			if (!strcmp(name, "tohost"))
				info->tohost = sym[k].st_value;
			else if (!strcmp(name, "fromhost"))
				info->fromhost = sym[k].st_value;
		}
	}
}

static int load_elf(struct machine *m, const char *path, const uint8_t *d, size_t n, struct elf_info *info)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)d;
	if (n < sizeof *eh || eh->e_ident[EI_CLASS] != ELFCLASS64) {
		cairn_error("'%s': not a 64-bit ELF file", path);
		return -ERR_FORMAT;
	}
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_machine != EM_RISCV) {
		cairn_error("'%s': not a little-endian RISC-V ELF file", path);
		return -ERR_FORMAT;
	}
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN) {
		cairn_error("'%s': ELF file is not an executable", path);
		return -ERR_FORMAT;
	}
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == 0 ||
	    !in_file(n, eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr))) {
		cairn_error("'%s': truncated or malformed ELF program headers", path);
		return -ERR_FORMAT;
	}
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(d + eh->e_phoff);
	info->lo = UINT64_MAX;
	info->hi = 0;
	int loaded = 0;
	for (int k = 0; k < eh->e_phnum; k++) {
		if (ph[k].p_type != PT_LOAD || ph[k].p_memsz == 0)
			continue;
		if (ph[k].p_filesz > ph[k].p_memsz || !in_file(n, ph[k].p_offset, ph[k].p_filesz)) {
			cairn_error("'%s': segment %d extends past the end of the file", path, k);
			return -ERR_FORMAT;
		}
		uint8_t *dst = guest_ptr(m, ph[k].p_paddr, ph[k].p_memsz);
		if (!dst) {
			cairn_error("'%s': segment %d at 0x%llx-0x%llx is outside guest RAM (0x%llx-0x%llx)", path, k,
				    (unsigned long long)ph[k].p_paddr, (unsigned long long)(ph[k].p_paddr + ph[k].p_memsz),
				    (unsigned long long)VIRT_DRAM_BASE, (unsigned long long)(VIRT_DRAM_BASE + m->cfg.ram_size));
			return -ERR_RANGE;
		}
		memcpy(dst, d + ph[k].p_offset, ph[k].p_filesz);
		memset(dst + ph[k].p_filesz, 0, ph[k].p_memsz - ph[k].p_filesz);
		if (ph[k].p_paddr < info->lo)
			info->lo = ph[k].p_paddr;
		if (ph[k].p_paddr + ph[k].p_memsz > info->hi)
			info->hi = ph[k].p_paddr + ph[k].p_memsz;
		loaded++;
	}
	if (!loaded) {
		cairn_error("'%s': ELF file has no loadable segments", path);
		return -ERR_FORMAT;
	}
	info->entry = eh->e_entry;
	find_htif_symbols(d, n, eh, info);
	return 0;
}

int load_image(struct machine *m, const char *path, uint64_t load_addr, struct elf_info *info)
{
	uint8_t *d;
	size_t n;
	int err = read_whole_file(path, &d, &n);
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
		cairn_error("'%s' is empty", path);
		err = -ERR_FORMAT;
	} else if (n >= 4 && !memcmp(d, ELFMAG, SELFMAG)) {
		err = load_elf(m, path, d, n, info);
	} else {
		uint8_t *dst = guest_ptr(m, load_addr, n);
		if (!dst) {
			cairn_error("'%s' (%zu bytes) does not fit in guest RAM at 0x%llx (-m %llu MiB)", path, n,
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
