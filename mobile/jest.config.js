module.exports = {
  preset: 'jest-expo',
  testEnvironment: '<rootDir>/test-support/env.js',
  setupFilesAfterEnv: ['<rootDir>/jest.after-env.js'],
  testMatch: ['**/__tests__/**/*.test.ts?(x)'],
  testPathIgnorePatterns: ['/node_modules/', '/e2e/', '/dist/'],
  moduleNameMapper: { '^@/(.*)$': '<rootDir>/$1' },
  transformIgnorePatterns: [
    'node_modules/(?!((jest-)?react-native|@react-native(-community)?)|expo(nent)?|@expo(nent)?/.*|@expo-google-fonts/.*|react-navigation|@react-navigation/.*|@sentry/react-native|native-base|openapi-fetch|lightweight-charts|fancy-canvas)',
  ],
};
