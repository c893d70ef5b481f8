/** Number formatting for advice texts: 4 significant digits, a real minus sign, no trailing zeros. */
export function fmt(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  if (x === 0) return '0';
  const a = Math.abs(x);
  const body = a >= 1e-4 && a < 1e6 ? String(Number(a.toPrecision(4))) : a.toExponential(3).replace(/\.?0+e/, 'e');
  return (x < 0 ? '−' : '') + body;
}

/** x rounded to `digits` significant digits, so a proposed config value is the number the text cites. */
export function roundSig(x: number, digits = 3): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  return Number(x.toPrecision(digits));
}
