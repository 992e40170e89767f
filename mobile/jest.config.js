module.exports = {
  preset: 'jest-expo',
  testEnvironment: '<rootDir>/test-support/env.js',
  setupFilesAfterEnv: ['<rootDir>/jest.after-env.js'],
  testMatch: ['**/__tests__/**/*.test.ts?(x)'],
  // A hang guard, not a speed check: a fresh clone transforms every module on first use, and a
  // loaded machine is slow. Each test polls or awaits what it checks.
  testTimeout: 180000,
  testPathIgnorePatterns: ['/node_modules/', '/e2e/', '/dist/'],
  moduleNameMapper: { '^@/(.*)$': '<rootDir>/$1' },
  transformIgnorePatterns: [
    'node_modules/(?!((jest-)?react-native|@react-native(-community)?)|expo(nent)?|@expo(nent)?/.*|@expo-google-fonts/.*|react-navigation|@react-navigation/.*|@sentry/react-native|native-base|openapi-fetch|lightweight-charts|fancy-canvas|standard-navigation)',
  ],
};
