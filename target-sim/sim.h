/* SPDX-License-Identifier: MIT */
/*
 * sim.h - shared declarations of backtest-sim, a deterministic program shaped like a
 * backtesting engine: CSV bundle loader, indicator math, signal generation, order
 * simulation and portfolio accounting, driven by batch runs, process and thread pools,
 * grid search, BOHB and MPI.
 *
 * Conventions: functions return 0 or -errno; structs with _init/_fini pairs are owned by the
 * caller; everything derived from --seed is bit-identical across runs, worker counts and
 * processes (results cross process boundaries as %.17g text, which round-trips exactly).
 */
#ifndef SIM_H
#define SIM_H

#include <stddef.h>
#include <stdint.h>

#define SIM_EXIT_USAGE	64
#define SIM_EXIT_FAIL	1

/* ---- rng.c: splitmix64 streams, FNV-1a checksums, clocks ---- */
struct rng {
	uint64_t s;
};

void rng_seed(struct rng *r, uint64_t seed, uint64_t stream);
uint64_t rng_next(struct rng *r);
double rng_uniform(struct rng *r);
double rng_normal(struct rng *r);
int rng_below(struct rng *r, int n);

struct csum {
	uint64_t h;
};

void csum_init(struct csum *c);
void csum_bytes(struct csum *c, const void *p, size_t n);
void csum_u64(struct csum *c, uint64_t v);
void csum_double(struct csum *c, double v);
void csum_print(const struct csum *c);

double now_sec(void);

/* ---- data.c: synthetic OHLCV written as CSV files, parsed back ---- */
struct series {
	char sym[16];
	int nbars;		/* rows in the file */
	int first;		/* calendar index of the first row (listing date) */
	int32_t *date;		/* yyyymmdd */
	double *open, *high, *low, *close, *volume;
};

struct bundle {
	int nassets;
	int nbars;		/* length of the common calendar */
	int32_t *calendar;	/* yyyymmdd per bar */
	struct series *s;
};

int data_tmpdir(char *buf, size_t len);
int data_write_bundle(const char *dir, int nassets, int nbars, uint64_t seed);
int data_load_bundle(const char *dir, int nassets, int nbars, struct bundle *b);
void bundle_fini(struct bundle *b);
void data_rmdir(const char *dir, int nassets);

/* ---- indicators.c ---- */
void ind_sma(const double *x, int n, int w, double *out);
void ind_ema(const double *x, int n, int w, double *out);
void ind_rsi(const double *x, int n, int w, double *out);
void ind_bollinger(const double *x, int n, int w, double k, double *up, double *lo);
void ind_atr(const double *h, const double *l, const double *c, int n, int w, double *out);

/* ---- strategy.c: parameters and signals ---- */
struct params {
	int fast;		/* fast moving average window */
	int slow;		/* slow moving average window */
	double rsi_lo;		/* RSI entry ceiling is 100 - rsi_lo; exit above 100 - rsi_lo/2 */
	double stop;		/* stop-loss as a fraction of entry price */
};

struct indset {
	double *fast, *slow, *rsi, *bb_up, *bb_lo, *atr;
};

int indset_init(struct indset *s, int n);
void indset_fini(struct indset *s);
void strat_indicators(const double *h, const double *l, const double *c, int n,
		      const struct params *p, struct indset *s);
int strat_signal(const struct indset *s, int t, double price, int holding,
		 const struct params *p);
void params_fmt(const struct params *p, char *buf, size_t len);

/* ---- backtest.c: aligned per-backtest state, order simulation, metrics ---- */
struct metrics {
	double total_return;
	double sharpe;
	double max_drawdown;
	double sharpe_lo;	/* 5th percentile of bootstrapped Sharpe */
	double turnover;
	int trades;
};

struct bt_ctx {
	int nassets, nbars;
	double *open, *high, *low, *close;	/* nassets x nbars, forward-filled */
	unsigned char *live;			/* listed at bar t */
	struct indset *ind;
	double *equity;				/* nbars */
};

int bt_init(struct bt_ctx *c, const struct bundle *b, int asset0, int nassets, int start,
	    const struct params *p);
void bt_run(struct bt_ctx *c, const struct params *p, uint64_t seed, struct metrics *m);
void bt_fini(struct bt_ctx *c);
int bt_window(int nbars, double frac, const struct params *p);
int bt_evaluate(const struct bundle *b, int asset0, int nassets, double frac,
		const struct params *p, uint64_t seed, struct metrics *m, double **equity);
double bt_objective(const struct metrics *m);
void csum_metrics(struct csum *c, const struct metrics *m);

/* ---- space.c: the strategy parameter space shared by grid search, BOHB and tasks ---- */
#define SPACE_DIMS 4
void space_decode(const double u[SPACE_DIMS], struct params *p);
int space_grid_size(void);
void space_grid_point(int i, struct params *p);

/* ---- task.c: parallel tasks, their results and their wire format ---- */
#define TASK_PARAMS 6
struct task {
	int id;
	int asset0, nassets;
	struct params p[TASK_PARAMS];
};

struct task_result {
	int id;
	struct metrics m[TASK_PARAMS];
	int best;
	int nbars;
	double *equity;		/* equity curve of the best parameter set; owned */
};

void task_make(int id, int bundle_assets, struct task *t);
int task_run(const struct bundle *b, const struct task *t, uint64_t seed, struct task_result *r);
char *task_encode(const struct task *t, size_t *len);
int task_decode(const char *buf, size_t len, struct task *t);
char *result_encode(const struct task_result *r, size_t *len);
/* A coordinator's receipt: decode a result message into rs[id], refusing ids out of range
 * or seen twice. 0 or -errno. */
int result_store(const char *msg, size_t len, struct task_result *rs, int ntasks);
/* A worker's turn: decode the task message, run it (region "task"), encode the result into a
 * malloc'ed *out of *out_len bytes (caller frees). 0 or -errno. */
int task_serve(const struct bundle *b, uint64_t seed, const char *msg, size_t len, char **out,
	       size_t *out_len);
int result_decode(const char *buf, size_t len, struct task_result *r);
void result_fini(struct task_result *r);
void results_summary(struct task_result *rs, int n, struct csum *c);

/* ---- pool.c / tpool.c: process pool and thread pool ---- */
struct pool_cfg {
	int workers;
	int ntasks;
	int nassets;
	int nbars;
	uint64_t seed;
	const char *dir;	/* bundle directory the workers load */
};

int pool_run(const struct pool_cfg *cfg, struct task_result *rs);
int tpool_run(const struct pool_cfg *cfg, struct task_result *rs);

/* ---- opts.c: option helpers shared by the subcommands ---- */
struct common_opts {
	uint64_t seed;
	int timing;
};

int opt_int(const char *cmd, const char *name, const char *arg, long lo, long hi, int *out);
int opt_u64(const char *cmd, const char *name, const char *arg, uint64_t *out);
void opt_timing_report(const struct common_opts *o, const char *cmd, double t0);

struct par_opts {
	struct common_opts c;
	int workers;		/* workers, threads or MPI ranks */
	int tasks, assets, bars, threads;
};

int par_parse(const char *cmd, int mpi, int argc, char **argv, struct par_opts *o);
void par_report(struct task_result *rs, int n);

struct search_opts {
	struct common_opts c;
	int assets, bars, iterations, eta;
};

int search_parse(const char *cmd, int bohb, int argc, char **argv, struct search_opts *o);
int search_bundle(const struct search_opts *o, const char *dir, struct bundle *b);

int cmd_batch_init(int argc, char **argv);
int cmd_parallel(int argc, char **argv);
int cmd_grid_search(int argc, char **argv);
int cmd_bohb(int argc, char **argv);
int cmd_distributed(int argc, char **argv);

#endif /* SIM_H */
