// The React Native jest environment, with Node's own fetch (undici) instead of the
// whatwg-fetch polyfill, so that the app's client talks to real local servers in tests.
const NativeEnvironment = require('@react-native/jest-preset/jest/react-native-env.js');

class Environment extends NativeEnvironment {
  async setup() {
    await super.setup();
    this.global.__nodeFetch = { fetch, Request, Response, Headers, FormData, AbortController };
  }
}

module.exports = Environment;
