const runningMax = (numbers) => {
  const out = [];
  for (const n of numbers) out.push(out.length && out[out.length - 1] > n ? out[out.length - 1] : n);
  return out;
};
