/** Starts `work` and tells whether it is still unsettled after `ms` (settling either way before then: false). */
export async function outlasts(work: () => Promise<unknown>, ms: number): Promise<boolean> {
  let deadline: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    deadline = setTimeout(() => resolve(true), ms);
  });
  const settled = work().then(
    () => false,
    () => false,
  );
  const late = await Promise.race([settled, timedOut]);
  clearTimeout(deadline);
  return late;
}
