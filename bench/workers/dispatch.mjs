// The hand-written receiving end of the raw rows: {i, m, a} in, {i, r} or {i, e} out, nothing more.
export function dispatch(target, message, reply) {
  const { i, m, a } = message;
  let result;
  try {
    result = target[m](...a);
  } catch (err) {
    reply({ i, e: String(err) });
    return;
  }
  if (result !== null && typeof result === 'object' && typeof result.then === 'function') {
    result.then(
      (r) => reply({ i, r }),
      (err) => reply({ i, e: String(err) }),
    );
  } else {
    reply({ i, r: result });
  }
}
