// A CommonJS worker module: module.exports holds the class.
class CommonWorker {
  kind() {
    return 'cjs';
  }
}
module.exports = { CommonWorker };
