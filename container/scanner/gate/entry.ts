import { main } from './main';
import { runProgram } from './program';

/** The gate bundle's entry (container/scanner/scan-image.js): the scan gate on this process's environment. */
runProgram('scan-image', main);
