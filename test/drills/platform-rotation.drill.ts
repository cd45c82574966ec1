import { describe } from 'vitest';
import { postgresAvailable } from '@keyward/test-kit/postgres';
import { platformRotationDrill } from '../e2e/platform-rotation-drill.js';
import { useThreeInstances } from '../e2e/three-instances.js';

/**
 * The long version of the multi-instance rotation test: 10,000 tenants (KEYWARD_DRILL_TENANTS), a
 * process killed mid-way. `npm run test:drills` runs it; `npm test` runs the same drill with 500.
 */
const TENANTS = Number(process.env.KEYWARD_DRILL_TENANTS ?? 10_000);

describe.skipIf(!postgresAvailable)('drill: three Keyward processes on one PostgreSQL', () => {
  platformRotationDrill(useThreeInstances(), TENANTS);
});
