/* global jest */
// Node's fetch for tests against local servers (the RN preset installs whatwg-fetch, which
// cannot send openapi-fetch's requests); see test-support/env.js.
const nodeFetch = globalThis.__nodeFetch;
if (nodeFetch) Object.assign(globalThis, nodeFetch);

// Poll with a generous deadline: the suite must pass with both cores busy.
const { configure } = require('@testing-library/react-native');
configure({ asyncUtilTimeout: 60000 });

// FlashList measures its views, which a test renderer cannot (every size would be 0: the list
// would render no window and reach its end at once). The sizes its own jestSetup gives (its
// other mock, of the FlashList export, does not resolve in 2.0.2): the list 400 x 900, each item
// 100 x 100, so a list renders a window of its rows as on a device.
jest.mock('@shopify/flash-list/dist/recyclerview/utils/measureLayout', () => ({
  ...jest.requireActual('@shopify/flash-list/dist/recyclerview/utils/measureLayout'),
  measureParentSize: () => ({ x: 0, y: 0, width: 400, height: 900 }),
  measureFirstChildLayout: () => ({ x: 0, y: 0, width: 400, height: 900 }),
  measureItemLayout: () => ({ x: 0, y: 0, width: 100, height: 100 }),
}));
