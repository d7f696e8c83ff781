// Worker classes exported under names of their own, as a bundler that renames classes writes them; and an export
// that is a function but no class.
class CalcImpl {
  add(a, b) {
    return a + b;
  }
}

export { CalcImpl as Calc };

export const Arrow = () => 1;
