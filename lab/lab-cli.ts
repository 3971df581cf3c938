// `tsx lab/lab-cli.ts up|down|status`: the lab by hand. `up` waits for both guests' leases so a
// following `npm run serve -- --lab` (which finds the lab through readLabInfo) sees them.
import {
  type LabInfo,
  LabPrerequisiteError,
  readLabInfo,
  startLab,
  stopLab,
  waitForLease,
} from './lab';

async function printLab(info: LabInfo): Promise<void> {
  console.log(`uri:        ${info.uri}`);
  console.log(`ns pid:     ${info.nsPid}  (nsenter --target=${info.nsPid} --net --mount -- ...)`);
  console.log(`state dir:  ${info.stateDir}`);
  for (const network of info.networks) {
    console.log(`network:    ${network.name}  bridge ${network.bridge}  subnet ${network.subnet}`);
  }
  for (const guest of info.guests) {
    // Leases are already there after `up`; for `status` a short wait shows whether they still are.
    const address = await waitForLease(info, guest.mac, 0).catch(() => 'no lease');
    console.log(`guest:      ${guest.name}  network ${guest.network}  mac ${guest.mac}  ip ${address}`);
  }
}

async function main(command: string | undefined): Promise<number> {
  switch (command) {
    case 'up': {
      const started = Date.now();
      const info = await startLab({ waitForLeases: true });
      console.log(`Lab is up (${((Date.now() - started) / 1000).toFixed(1)} s).`);
      await printLab(info);
      return 0;
    }
    case 'down':
      await stopLab();
      console.log('Lab is down.');
      return 0;
    case 'status': {
      const info = await readLabInfo();
      if (!info) {
        console.log('No lab is running.');
        return 1;
      }
      await printLab(info);
      return 0;
    }
    default:
      console.error('Usage: tsx lab/lab-cli.ts up|down|status');
      return 2;
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof LabPrerequisiteError) console.error(error.message);
    else console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
