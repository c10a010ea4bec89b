// The built package through its CJS entry, in plain Node.
'use strict';
const rxjs = require('rxjs');
const sdk = require('rx-sse');
const run = require('./scenarios.cjs');

run(sdk, rxjs, process.env.SSE_URL).then((report) => console.log(JSON.stringify(report)));
