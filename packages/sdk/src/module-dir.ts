// The folder of this module, to find the package's proto/ folder. The CommonJS build (and the
// tests) read __dirname; scripts/build.mjs replaces this file in the ES module build with one
// that reads import.meta.url, which a CommonJS build cannot even parse.
export const MODULE_DIR: string = __dirname;
