// The example Worker of this repository (tests, demo, `npm run dev`): the package's own handler and
// Durable Object, imported from the sources. package-example/ is the same Worker built from the npm package.
import { PilotPeerObject, pilotWorker } from "../src/index.js";

export { PilotPeerObject };
export default pilotWorker;
