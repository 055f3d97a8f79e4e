/** jest in ESM mode (see docs/ and stack.md): ts-jest with useESM, `.js` import suffixes mapped. */
export default {
  testEnvironment: "node",
  extensionsToTreatAsEsm: [".ts"],
  roots: ["<rootDir>/src", "<rootDir>/agents", "<rootDir>/graphs", "<rootDir>/evals"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": ["ts-jest", { useESM: true, tsconfig: "tsconfig.json", diagnostics: { ignoreCodes: [151002] } }],
  },
  moduleNameMapper: {
    "^(\\.{1,2}/.*)\\.js$": "$1",
    "^e2b$": "<rootDir>/node_modules/e2b/dist/index.mjs",
    "^@e2b/code-interpreter$": "<rootDir>/node_modules/@e2b/code-interpreter/dist/index.mjs",
  },
  testTimeout: 120000,
};
