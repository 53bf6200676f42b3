// Preloaded with --import by tests that run the CLI as if the machine's clock said another day.
const target = Number(process.env.RETENTION_TEST_NOW);
if (Number.isFinite(target)) {
  const real = Date.now.bind(Date);
  const shift = target - real();
  Date.now = () => real() + shift;
}
