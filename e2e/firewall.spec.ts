// The firewall view of the default network against the lab's kernel: every rule of libvirt's
// chains that names virbr0 or its subnet in the lab's own iptables-save shows up, grouped, with
// its plain-words meaning.
import { runChecked } from '../electron/host/command-runner';
import { parseIptablesSave } from '../shared/firewall/iptables-save';
import { labCommandRunner, readLabInfo, type LabInfo } from '../lab/lab';
import { expect, test } from './serve-fixture';
import { SCREENSHOTS } from './test-output';

let lab: LabInfo;

test.beforeAll(async () => {
  const running = await readLabInfo();
  if (!running) throw new Error('No lab is running: start one with "npm run lab:up".');
  lab = running;
});

test("the default network's firewall view shows libvirt's rules as the lab's kernel has them", async ({ page, serve }) => {
  await page.goto(serve.url);
  await page.getByTestId('network-row-default').click();
  const details = page.getByTestId('network-details');
  const section = details.getByRole('region', { name: 'Firewall rules in effect' });
  await section.getByRole('button', { name: 'Read rules' }).click();
  const view = section.getByTestId('firewall-view');
  await expect(view).toContainText('libvirt uses its iptables backend');

  const kernelRules = parseIptablesSave(await runChecked(labCommandRunner(lab), 'iptables-save', [])).filter(
    (rule) => rule.chain.startsWith('LIBVIRT_') && (rule.text.includes('virbr0') || rule.text.includes('192.168.122.0/24')),
  );
  expect(kernelRules.length).toBeGreaterThan(10);
  await section.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SCREENSHOTS}/firewall-view-summary.png` });
  // Every group opened, so each rule's text is on the page.
  for (const summary of await view.locator('.MuiAccordionSummary-root').all()) await summary.click();
  for (const rule of kernelRules) await expect(view.getByText(rule.text, { exact: true })).toBeVisible();
  await expect(view.getByText('iptables filter LIBVIRT_FWI').first()).toBeVisible();

  await expect(view.getByTestId('firewall-group-out')).toContainText('Guests may reach anything outside.');
  await expect(view.getByTestId('firewall-group-in')).toContainText('Replies to the guests’ own connections are allowed back in.');
  await expect(view.getByTestId('firewall-group-nat')).toContainText("masqueraded to the host's address (TCP and UDP from ports 1024–65535).");
  // The isolated network's rules are not the default network's.
  await expect(view.getByText(/virbr-lab1/)).toHaveCount(0);

  await view.getByTestId('firewall-group-nat').scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SCREENSHOTS}/firewall-view.png` });
});
