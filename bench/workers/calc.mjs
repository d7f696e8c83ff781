// The one worker class every row serves, so all rows run the same method bodies on the same payloads.
export class Calc {
  add(a, b) {
    return a + b;
  }

  size(bytes) {
    return bytes.byteLength;
  }

  echo(value) {
    return value;
  }
}
