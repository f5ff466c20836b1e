// The NLU thread module (nlu/threads/recognizer-thread.ts) loaded from the TypeScript sources, so
// a test can start NLU threads without a build.
require('./register-ts.js');
module.exports = require('../../nlu/threads/recognizer-thread.ts');
