/**
 * The console's script: progressive enhancement over server-rendered pages. It copies values,
 * checks ARNs as they are typed, and calls the JSON API with the session cookie and the CSRF token.
 */
export const CONSOLE_JS = String.raw`
'use strict';
const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content ?? '';
const ARN = {
  role: /^arn:(aws|aws-cn|aws-us-gov):iam::\d{12}:role\/[\w+=,.@\/-]{1,512}$/,
  kms: /^arn:(aws|aws-cn|aws-us-gov):kms:[a-z]{2}(-gov)?-[a-z]+-\d{1,2}:\d{12}:key\/[0-9a-f-]{36}$|^arn:(aws|aws-cn|aws-us-gov):kms:[a-z]{2}(-gov)?-[a-z]+-\d{1,2}:\d{12}:key\/mrk-[0-9a-f]{32}$/,
};
const ARN_HINT = {
  role: 'An IAM role ARN: arn:aws:iam::<12-digit account>:role/<name>',
  kms: 'A KMS key ARN (not an alias): arn:aws:kms:<region>:<12-digit account>:key/<key id>',
};

async function api(method, path, body) {
  const response = await fetch(path, {
    method, credentials: 'same-origin',
    headers: { 'x-csrf-token': csrf(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const data = text === '' ? undefined : JSON.parse(text);
  if (!response.ok) throw Object.assign(new Error(data?.message ?? 'Request failed (' + response.status + ')'), { status: response.status, data });
  return data;
}

function say(target, message, kind) {
  if (target === null) return;
  target.textContent = message;
  target.className = kind === 'error' ? 'error' : 'hint';
}

function copyButtons() {
  for (const button of document.querySelectorAll('[data-copy]')) {
    button.addEventListener('click', async () => {
      const source = document.getElementById(button.dataset.copy);
      const text = source?.textContent ?? '';
      try {
        await navigator.clipboard.writeText(text);
      } catch {
        const area = Object.assign(document.createElement('textarea'), { value: text });
        document.body.append(area);
        area.select();
        document.execCommand('copy');
        area.remove();
      }
      const label = button.textContent;
      button.textContent = 'Copied';
      button.setAttribute('aria-live', 'polite');
      setTimeout(() => { button.textContent = label; }, 1500);
    });
  }
}

function arnFields() {
  const form = document.getElementById('config-form');
  if (form === null) return;
  const fields = [...form.querySelectorAll('input[data-arn]')];
  const check = (input) => {
    const value = input.value.trim();
    const ok = ARN[input.dataset.arn].test(value);
    input.setAttribute('aria-invalid', String(value !== '' && !ok));
    say(document.getElementById(input.id + '-error'), value === '' || ok ? '' : ARN_HINT[input.dataset.arn], 'error');
    return ok;
  };
  const update = () => { form.querySelector('button[type=submit]').disabled = !fields.every(check); };
  for (const input of fields) input.addEventListener('input', update);
  update();
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const status = document.getElementById('config-status');
    say(status, 'Saving…');
    try {
      await api('PUT', form.dataset.action, { roleArn: form.roleArn.value.trim(), cmkArn: form.cmkArn.value.trim() });
      location.reload();
    } catch (error) {
      say(status, error.message, 'error');
    }
  });
}

function switchForm() {
  const form = document.getElementById('switch-form');
  if (form === null) return;
  const input = form.cmkArn;
  const error = document.getElementById('switch-cmk-error');
  const valid = () => ARN.kms.test(input.value.trim());
  input.addEventListener('input', () => {
    input.setAttribute('aria-invalid', String(input.value !== '' && !valid()));
    say(error, input.value === '' || valid() ? '' : ARN_HINT.kms, 'error');
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const status = document.getElementById('switch-status');
    if (!valid()) return say(error, ARN_HINT.kms, 'error');
    say(status, 'Testing the new CMK, then re-wrapping…');
    try {
      await api('POST', form.dataset.action, { cmkArn: input.value.trim() });
      location.reload();
    } catch (failure) {
      say(status, failure.message, 'error');
      const report = failure.data?.details?.report;
      if (report !== undefined) renderChecks(document.getElementById('switch-checks'), report.results);
    }
  });
}

/** Progress bars of running jobs follow the job until it ends, then the page reloads. */
function jobProgress() {
  const bars = [...document.querySelectorAll('progress[data-job]')];
  if (bars.length === 0) return;
  const poll = async () => {
    let open = 0;
    for (const bar of bars) {
      try {
        const job = await api('GET', bar.dataset.job);
        bar.max = Math.max(job.total, 1);
        bar.value = job.done;
        bar.parentElement.querySelector('[data-job-count]').textContent = job.done + '/' + job.total;
        if (job.state === 'queued' || job.state === 'running') open++;
      } catch {
        open++;
      }
    }
    if (open === 0) location.reload();
    else setTimeout(poll, 2000);
  };
  setTimeout(poll, 2000);
}

function looseArnFields() {
  for (const input of document.querySelectorAll('input[data-arn-loose]')) {
    const error = document.getElementById(input.id + '-error');
    input.addEventListener('input', () => {
      const ok = /^arn:(aws|aws-cn|aws-us-gov):kms:[a-z0-9-]+:\d{12}:(key|alias)\/[\w\/-]+$/.test(input.value.trim());
      input.setAttribute('aria-invalid', String(input.value !== '' && !ok));
      say(error, input.value === '' || ok ? '' : 'A KMS key or alias ARN: arn:aws:kms:<region>:<account>:key/<key id>', 'error');
    });
  }
}

function renderChecks(list, results) {
  list.replaceChildren(...results.map((result) => {
    const item = document.createElement('li');
    item.className = result.status;
    item.dataset.check = result.id;
    const head = document.createElement('div');
    head.innerHTML = '<span class="status"></span><strong></strong>';
    head.querySelector('.status').textContent = result.status;
    head.querySelector('strong').textContent = result.title;
    const message = document.createElement('p');
    message.textContent = result.message;
    item.append(head, message);
    if (result.remediation) {
      const fix = document.createElement('p');
      fix.className = 'remediation';
      fix.textContent = 'Fix: ' + result.remediation + ' ';
      if (result.artifact) {
        const link = document.createElement('a');
        link.href = '#artifact-' + result.artifact;
        link.textContent = 'Go to the ' + result.artifact.replaceAll('-', ' ');
        fix.append(link);
      }
      item.append(fix);
    }
    return item;
  }));
}

function testButton() {
  const button = document.getElementById('run-test');
  if (button === null) return;
  const list = document.getElementById('checks');
  const status = document.getElementById('test-status');
  button.addEventListener('click', async () => {
    button.disabled = true;
    list.innerHTML = '<li class="running"><span class="status">running</span> Checking the role, the trust policy and the key…</li>';
    say(status, 'Testing…');
    try {
      // Each check arrives as it finishes (one JSON line each), then the whole report.
      const response = await fetch(button.dataset.action, { method: 'POST', credentials: 'same-origin', headers: { 'x-csrf-token': csrf() } });
      if (!response.ok) throw new Error((await response.json()).message ?? 'The test could not run.');
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      const shown = [];
      let buffer = '';
      let report;
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n')) >= 0) {
          const message = JSON.parse(buffer.slice(0, end));
          buffer = buffer.slice(end + 1);
          if (message.type === 'check') {
            shown.push(message.result);
            renderChecks(list, shown);
            const running = document.createElement('li');
            running.className = 'running';
            running.textContent = 'Running the next check…';
            list.append(running);
          }
          if (message.type === 'report') report = message.report;
          if (message.type === 'error') throw new Error(message.message);
        }
      }
      if (report === undefined) throw new Error('The test ended without a report.');
      renderChecks(list, report.results);
      say(status, report.ok ? 'Every check passed. You can enable BYOK.' : 'Some checks failed: fix what they name, then test again.', report.ok ? 'hint' : 'error');
      const enable = document.getElementById('open-enable');
      if (enable !== null) enable.disabled = !report.ok;
    } catch (error) {
      list.replaceChildren();
      say(status, error.message, 'error');
    } finally {
      button.disabled = false;
    }
  });
}

function actionButtons() {
  for (const button of document.querySelectorAll('button[data-post]')) {
    button.addEventListener('click', async () => {
      const dialog = button.dataset.confirm === undefined ? undefined : document.getElementById(button.dataset.confirm);
      if (dialog !== undefined && dialog !== null && !button.closest('dialog')) {
        dialog.showModal();
        return;
      }
      const typed = button.dataset.typed === undefined ? undefined : document.getElementById(button.dataset.typed);
      const status = document.getElementById(button.dataset.status ?? '');
      if (typed !== undefined && typed !== null && typed.value !== typed.dataset.expect) {
        say(status, 'Type ' + typed.dataset.expect + ' to confirm.', 'error');
        return;
      }
      button.disabled = true;
      say(status, button.dataset.working ?? 'Working…');
      try {
        const from = button.dataset.bodyFrom === undefined ? undefined : document.getElementById(button.dataset.bodyFrom);
        const body = from !== undefined && from !== null ? { keyArn: from.value.trim() } : button.dataset.body === undefined ? undefined : JSON.parse(button.dataset.body);
        await api('POST', button.dataset.post, body);
        location.assign(button.dataset.next ?? location.href);
      } catch (error) {
        say(status, error.message, 'error');
        button.disabled = false;
      }
    });
  }
  for (const button of document.querySelectorAll('button[data-close]')) button.addEventListener('click', () => button.closest('dialog')?.close());
}

document.addEventListener('DOMContentLoaded', () => {
  copyButtons();
  arnFields();
  testButton();
  actionButtons();
  switchForm();
  jobProgress();
  looseArnFields();
});
`;
