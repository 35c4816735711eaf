/**
 * `npm run bench`: every benchmark, Berth beside the peers installed on this
 * machine (`bash scripts/setup.sh --bench` installs them), in one run.
 * BENCH=startup,pull,archive picks some; BENCH_RUNS sets the repetitions.
 */
const all = ['startup', 'pull', 'disk', 'network', 'copy', 'archive', 'wait', 'sdk', 'stdin', 'e2e', 'cold', 'snapshot'] as const;
const chosen = (process.env.BENCH ?? all.join(',')).split(',');
for (const name of all) {
  if (chosen.includes(name)) await import(`./${name}.js`);
}
