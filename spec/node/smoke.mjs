// The built package through its ESM entry, in plain Node.
import * as rxjs from 'rxjs';
import * as sdk from 'rx-sse';
import run from './scenarios.cjs';

console.log(JSON.stringify(await run(sdk, rxjs, process.env.SSE_URL)));
