import { runProgram } from '../program';
import { rescan } from './main';

/**
 * The rescan bundle's entry (container/scanner/rescan-images.js): the rescan of what runs
 * (docs/rescans.md) on this process's environment. A bundle of its own, so that the gate's every
 * start does not read the AWS SDK it holds.
 */
runProgram('rescan-images', rescan);
