// Sums 1² + … + n² (385 for n = 10) and reports back to the parent.
process.on('message', ({ n }) => {
  let s = 0;
  for (let i = 1; i <= n; i++) s += i * i;
  process.send({ result: s });
});
