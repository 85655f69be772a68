/* fp.c - double-precision floating point: a 5-body simulation (sqrt, div),
 * a 96x96 matrix multiply and a mandelbrot escape count.  Only +-*÷ and sqrt,
 * which IEEE 754 rounds exactly, so every build gets the same bits. */
#include "bench.h"

#define WANT 0xcd4659f48c51ef57ull /* the checksum every correct build prints */

#ifndef STEPS
#define STEPS 1000000
#endif
#define MAT 128
#define PI 3.141592653589793
#define SOLAR_MASS (4 * PI * PI)
#define DAYS 365.24

struct body { double x, y, z, vx, vy, vz, m; };

static struct body bodies[5] = {
	{ 0, 0, 0, 0, 0, 0, SOLAR_MASS },
	{ 4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01,
	  1.66007664274403694e-03 * DAYS, 7.69901118419740425e-03 * DAYS, -6.90460016972063023e-05 * DAYS,
	  9.54791938424326609e-04 * SOLAR_MASS },
	{ 8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01,
	  -2.76742510726862411e-03 * DAYS, 4.99852801234917238e-03 * DAYS, 2.30417297573763929e-05 * DAYS,
	  2.85885980666130812e-04 * SOLAR_MASS },
	{ 1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01,
	  2.96460137564761618e-03 * DAYS, 2.37847173959480950e-03 * DAYS, -2.96589568540237556e-05 * DAYS,
	  4.36624404335156298e-05 * SOLAR_MASS },
	{ 1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01,
	  2.68067772490389322e-03 * DAYS, 1.62824170038242295e-03 * DAYS, -9.51592254519715870e-05 * DAYS,
	  5.15138902046611451e-05 * SOLAR_MASS },
};

static void advance(struct body *b, int n, double dt)
{
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++) {
			double dx = b[i].x - b[j].x, dy = b[i].y - b[j].y, dz = b[i].z - b[j].z;
			double d2 = dx * dx + dy * dy + dz * dz;
			double mag = dt / (d2 * __builtin_sqrt(d2));
			b[i].vx -= dx * b[j].m * mag; b[i].vy -= dy * b[j].m * mag; b[i].vz -= dz * b[j].m * mag;
			b[j].vx += dx * b[i].m * mag; b[j].vy += dy * b[i].m * mag; b[j].vz += dz * b[i].m * mag;
		}
	for (int i = 0; i < n; i++) {
		b[i].x += dt * b[i].vx;
		b[i].y += dt * b[i].vy;
		b[i].z += dt * b[i].vz;
	}
}

static double energy(const struct body *b, int n)
{
	double e = 0;
	for (int i = 0; i < n; i++) {
		e += 0.5 * b[i].m * (b[i].vx * b[i].vx + b[i].vy * b[i].vy + b[i].vz * b[i].vz);
		for (int j = i + 1; j < n; j++) {
			double dx = b[i].x - b[j].x, dy = b[i].y - b[j].y, dz = b[i].z - b[j].z;
			e -= b[i].m * b[j].m / __builtin_sqrt(dx * dx + dy * dy + dz * dz);
		}
	}
	return e;
}

static double ma[MAT][MAT], mb[MAT][MAT], mc[MAT][MAT];

static void matmul(void)
{
	for (int i = 0; i < MAT; i++)
		for (int j = 0; j < MAT; j++) {
			double acc = 0;
			for (int k = 0; k < MAT; k++)
				acc += ma[i][k] * mb[k][j];
			mc[i][j] = acc;
		}
}

static uint32_t mandel(int w, int h, int maxit)
{
	uint32_t total = 0;
	for (int py = 0; py < h; py++)
		for (int px = 0; px < w; px++) {
			double cr = -2.0 + 2.6 * px / w, ci = -1.2 + 2.4 * py / h, zr = 0, zi = 0;
			int it = 0;
			while (it < maxit && zr * zr + zi * zi <= 4.0) {
				double t = zr * zr - zi * zi + cr;
				zi = 2 * zr * zi + ci;
				zr = t;
				it++;
			}
			total += (uint32_t)it;
		}
	return total;
}

static uint64_t bits(double d)
{
	uint64_t u;
	memcpy(&u, &d, 8);
	return u;
}

int main(void)
{
	uint64_t sum = 0;
	double px = 0, py = 0, pz = 0;
	for (int i = 0; i < 5; i++) {
		px += bodies[i].vx * bodies[i].m;
		py += bodies[i].vy * bodies[i].m;
		pz += bodies[i].vz * bodies[i].m;
	}
	bodies[0].vx = -px / SOLAR_MASS;
	bodies[0].vy = -py / SOLAR_MASS;
	bodies[0].vz = -pz / SOLAR_MASS;
	sum ^= bits(energy(bodies, 5));
	for (int s = 0; s < STEPS; s++)
		advance(bodies, 5, 0.01);
	sum = sum * 31 + bits(energy(bodies, 5));

	for (int i = 0; i < MAT; i++)
		for (int j = 0; j < MAT; j++) {
			ma[i][j] = (double)(rnd32() % 2001) / 1000.0 - 1.0;
			mb[i][j] = (double)(rnd32() % 2001) / 1000.0 - 1.0;
		}
	for (int r = 0; r < 4; r++) {
		matmul();
		memcpy(ma, mc, sizeof ma);
		for (int i = 0; i < MAT; i++) /* keep the values bounded */
			for (int j = 0; j < MAT; j++)
				ma[i][j] = ma[i][j] / 16.0;
	}
	for (int i = 0; i < MAT; i++)
		sum = sum * 31 + bits(mc[i][(i * 7) % MAT]);
	sum = sum * 31 + mandel(320, 240, 512);
	printf("energy %.9f\n", energy(bodies, 5));
	return report("fp", sum, WANT);
}
