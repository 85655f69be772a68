/* vm.c - an interpreter loop: a small register bytecode machine (switch
 * dispatch, as most guest interpreters have) running a prime sieve, a Collatz
 * search and a byte-string hash written in its bytecode.  Stresses the
 * unpredictable indirect branch of a dispatch loop and small memory ops. */
#include "bench.h"

#define WANT 0x65eea757cfdea3deull /* the checksum every correct build prints */

#ifndef REPS
#define REPS 3
#endif

enum { LI, MOV, ADD, ADDI, MUL, AND, SHR, XOR, LD, ST, LDB, BLT, BGE, BEQ, JMP, HALT };
typedef struct { uint8_t op, a, b, c; int32_t imm; } insn;

static uint64_t run(const insn *code, int32_t *mem, const uint8_t *bytes, int32_t *r)
{
	uint64_t steps = 0;
	for (const insn *pc = code;; steps++) {
		const insn i = *pc++;
		switch (i.op) {
		case LI: r[i.a] = i.imm; break;
		case MOV: r[i.a] = r[i.b]; break;
		case ADD: r[i.a] = (int32_t)((uint32_t)r[i.b] + (uint32_t)r[i.c]); break;
		case ADDI: r[i.a] = (int32_t)((uint32_t)r[i.b] + (uint32_t)i.imm); break;
		case MUL: r[i.a] = (int32_t)((uint32_t)r[i.b] * (uint32_t)r[i.c]); break;
		case AND: r[i.a] = r[i.b] & r[i.c]; break;
		case SHR: r[i.a] = (int32_t)((uint32_t)r[i.b] >> (i.imm & 31)); break;
		case XOR: r[i.a] = r[i.b] ^ r[i.c]; break;
		case LD: r[i.a] = mem[r[i.b] + i.imm]; break;
		case ST: mem[r[i.b] + i.imm] = r[i.a]; break;
		case LDB: r[i.a] = bytes[r[i.b] + i.imm]; break;
		case BLT: if (r[i.a] < r[i.b]) pc = code + i.imm; break;
		case BGE: if (r[i.a] >= r[i.b]) pc = code + i.imm; break;
		case BEQ: if (r[i.a] == r[i.b]) pc = code + i.imm; break;
		case JMP: pc = code + i.imm; break;
		case HALT: return steps;
		}
	}
}

/* A tiny assembler: each program is built twice, the first pass only
 * records where its labels land, the second uses them. */
static insn prog[64];
static int npc, lab[16];
static void E(int op, int a, int b, int c, int32_t imm) { prog[npc++] = (insn){ (uint8_t)op, (uint8_t)a, (uint8_t)b, (uint8_t)c, imm }; }
static void L(int n) { lab[n] = npc; }

/* sieve of Eratosthenes below r1 in mem[]: r0 = number of primes */
static void asm_sieve(void)
{
	npc = 0;
	E(LI, 2, 0, 0, 0); E(LI, 3, 0, 0, 1);
	L(0); E(ST, 3, 2, 0, 0); E(ADDI, 2, 2, 0, 1); E(BLT, 2, 1, 0, lab[0]);
	E(LI, 0, 0, 0, 0); E(LI, 5, 0, 0, 0); E(LI, 2, 0, 0, 2);
	L(1); E(BGE, 2, 1, 0, lab[4]);
	E(LD, 4, 2, 0, 0); E(BEQ, 4, 5, 0, lab[3]);
	E(ADDI, 0, 0, 0, 1); E(ADD, 6, 2, 2, 0);
	L(2); E(BGE, 6, 1, 0, lab[3]);
	E(ST, 5, 6, 0, 0); E(ADD, 6, 6, 2, 0); E(JMP, 0, 0, 0, lab[2]);
	L(3); E(ADDI, 2, 2, 0, 1); E(JMP, 0, 0, 0, lab[1]);
	L(4); E(HALT, 0, 0, 0, 0);
}

/* longest Collatz chain for starts below r1: r0 = its length, r7 = its start */
static void asm_collatz(void)
{
	npc = 0;
	E(LI, 0, 0, 0, 0); E(LI, 2, 0, 0, 1); E(LI, 9, 0, 0, 1); E(LI, 7, 0, 0, 0);
	L(0); E(BGE, 2, 1, 0, lab[5]);
	E(MOV, 3, 2, 0, 0); E(LI, 4, 0, 0, 0);
	L(1); E(BEQ, 3, 9, 0, lab[3]);
	E(ADDI, 4, 4, 0, 1); E(AND, 5, 3, 9, 0); E(BEQ, 5, 9, 0, lab[2]);
	E(SHR, 3, 3, 0, 1); E(JMP, 0, 0, 0, lab[1]);
	L(2); E(ADD, 6, 3, 3, 0); E(ADD, 3, 6, 3, 0); E(ADDI, 3, 3, 0, 1); E(JMP, 0, 0, 0, lab[1]);
	L(3); E(BGE, 0, 4, 0, lab[4]);
	E(MOV, 0, 4, 0, 0); E(MOV, 7, 2, 0, 0);
	L(4); E(ADDI, 2, 2, 0, 1); E(JMP, 0, 0, 0, lab[0]);
	L(5); E(HALT, 0, 0, 0, 0);
}

/* FNV-1a of the r1 bytes at bytes[0..]: r0 = hash */
static void asm_strhash(void)
{
	npc = 0;
	E(LI, 0, 0, 0, (int32_t)2166136261u); E(LI, 2, 0, 0, 0); E(LI, 3, 0, 0, 16777619);
	L(0); E(BGE, 2, 1, 0, lab[1]);
	E(LDB, 4, 2, 0, 0); E(XOR, 0, 0, 4, 0); E(MUL, 0, 0, 3, 0);
	E(ADDI, 2, 2, 0, 1); E(JMP, 0, 0, 0, lab[0]);
	L(1); E(HALT, 0, 0, 0, 0);
}

static uint64_t exec(void (*assemble)(void), int32_t limit, int32_t *mem, const uint8_t *bytes, uint64_t *steps)
{
	insn code[64];
	int32_t r[16] = { 0 };
	assemble();
	assemble();
	memcpy(code, prog, sizeof code);
	r[1] = limit;
	*steps += run(code, mem, bytes, r);
	return (uint64_t)(uint32_t)r[0] << 32 | (uint32_t)r[7];
}

int main(void)
{
	static int32_t mem[200000];
	static uint8_t bytes[100000];
	uint64_t sum = 0, steps = 0;
	for (size_t i = 0; i < sizeof bytes; i++)
		bytes[i] = (uint8_t)rnd32();
	for (int rep = 0; rep < REPS; rep++) {
		sum = sum * 31 + exec(asm_sieve, 200000 - rep, mem, bytes, &steps);
		sum = sum * 31 + exec(asm_collatz, 30000 + rep, mem, bytes, &steps);
		sum = sum * 31 + exec(asm_strhash, 100000 - rep, mem, bytes, &steps);
	}
	printf("bytecode steps %llu\n", (unsigned long long)steps);
	return report("vm", sum ^ steps, WANT);
}
