// Lint fixture (not compiled, not linted by default): a lib importing an app
// must fail @nx/enforce-module-boundaries.
import '@tillgate/gateway-app';
