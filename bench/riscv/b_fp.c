/* b_fp.c - double-precision benchmark: an n-body simulation (sqrt, div), a dense
 * matrix multiply and a Newton iteration; the result is checked to a fixed bit pattern.
 * Measures the FPU path (including rounding/flags handling) of the hart. */
#include "bench.h"

#ifndef STEPS
#define STEPS 100000
#endif
#define N 5
#define MAT 48

static double px[N], py[N], pz[N], vx[N], vy[N], vz[N], mass[N];
static double A[MAT][MAT], B[MAT][MAT], C[MAT][MAT];

static double energy(void)
{
	double e = 0;
	for (int i = 0; i < N; i++) {
		e += 0.5 * mass[i] * (vx[i] * vx[i] + vy[i] * vy[i] + vz[i] * vz[i]);
		for (int j = i + 1; j < N; j++) {
			double dx = px[i] - px[j], dy = py[i] - py[j], dz = pz[i] - pz[j];
			e -= mass[i] * mass[j] / __builtin_sqrt(dx * dx + dy * dy + dz * dz);
		}
	}
	return e;
}

static void advance(double dt)
{
	for (int i = 0; i < N; i++)
		for (int j = i + 1; j < N; j++) {
			double dx = px[i] - px[j], dy = py[i] - py[j], dz = pz[i] - pz[j];
			double d2 = dx * dx + dy * dy + dz * dz;
			double mag = dt / (d2 * __builtin_sqrt(d2));
			vx[i] -= dx * mass[j] * mag; vy[i] -= dy * mass[j] * mag; vz[i] -= dz * mass[j] * mag;
			vx[j] += dx * mass[i] * mag; vy[j] += dy * mass[i] * mag; vz[j] += dz * mass[i] * mag;
		}
	for (int i = 0; i < N; i++) {
		px[i] += dt * vx[i]; py[i] += dt * vy[i]; pz[i] += dt * vz[i];
	}
}

int main(void)
{
	for (int i = 0; i < N; i++) {
		px[i] = i * 1.5 - 3; py[i] = (i % 3) * 0.7; pz[i] = 0.1 * i;
		vx[i] = 0.01 * (i - 2); vy[i] = 0.02 * i; vz[i] = -0.01 * i;
		mass[i] = 1.0 + i * 0.25;
	}
	for (int i = 0; i < MAT; i++)
		for (int j = 0; j < MAT; j++) {
			A[i][j] = (i * 7 + j * 3) % 11 / 10.0 - 0.5;
			B[i][j] = (i * 5 + j * 13) % 17 / 16.0 - 0.5;
		}

	uint64_t t0 = instret_now();
	double e0 = energy();
	for (int s = 0; s < STEPS; s++)
		advance(0.001);
	double e1 = energy();
	for (int rep = 0; rep < 200; rep++) {
		for (int i = 0; i < MAT; i++)
			for (int j = 0; j < MAT; j++) {
				double acc = 0;
				for (int k = 0; k < MAT; k++)
					acc += A[i][k] * B[k][j];
				C[i][j] = acc;
			}
		for (int i = 0; i < MAT; i++)
			for (int j = 0; j < MAT; j++)
				A[i][j] = C[i][j] / (1.0 + __builtin_fabs(C[i][j]));
	}
	double x = 0;
	for (int k = 1; k < 20000; k++) {	/* Newton for sqrt(k), compared with fsqrt */
		double y = k / 64.0 + 1;
		for (int it = 0; it < 12; it++)
			y = 0.5 * (y + k / y);
		x += y - __builtin_sqrt((double)k);
	}
	union { double d; uint64_t u; } a = { e0 - e1 }, b = { A[3][5] + x };
	report(instret_now() - t0, a.u ^ (b.u * 3), 0xff9224c5299d3ee7ull);
}
