// One benchmark section: a name to select it by (`BENCH_ONLY=a,b`), and a run that returns the
// lines of its table and the figures that go to bench/results/latest.json under its name.
export interface BenchSection {
  name: string;
  // What it needs that may be missing (a Debian package, a binary); undefined when it can run.
  missing?: () => string | undefined;
  run: (opts: { iterations: number }) => Promise<{ table: string[]; json: unknown }>;
}
