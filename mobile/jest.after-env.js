// Node's fetch for tests against local servers (the RN preset installs whatwg-fetch, which
// cannot send openapi-fetch's requests); see test-support/env.js.
const nodeFetch = globalThis.__nodeFetch;
if (nodeFetch) Object.assign(globalThis, nodeFetch);

// Poll with a generous deadline: the suite must pass with both cores busy.
const { configure } = require('@testing-library/react-native');
configure({ asyncUtilTimeout: 60000 });
