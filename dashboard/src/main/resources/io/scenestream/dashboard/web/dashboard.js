// SceneStream dashboard: plain JavaScript and uPlot (charts, served by this server from its WebJar);
// nothing fetched from outside this server.
// Data comes from the JSON API; a server-sent event stream says which camera changed, and views
// refresh at a bounded rate (images at most once a second per tile, only for visible tiles).
'use strict';

(function () {
  const token = new URLSearchParams(location.search).get('token');
  const THUMB = 200;
  const LARGE = 480;
  const REFRESH_MS = 1000;
  const view = document.getElementById('view');
  const status = document.getElementById('status');

  let dirty = true;          // something changed since the last refresh
  let lastEvent = 0;         // time of the last server event
  let route = null;          // the view shown: {name, id}
  let tiles = new Map();     // camera id -> tile elements of the grid
  let visible = new Set();   // camera ids whose tile is on screen

  // ---------------------------------------------------------------- helpers

  function url(path, params) {
    const q = new URLSearchParams(params || {});
    if (token) q.set('token', token);
    const s = q.toString();
    return path + (s ? '?' + s : '');
  }

  async function getJson(path) {
    const headers = token ? { Authorization: 'Bearer ' + token } : {};
    const r = await fetch(path, { headers: headers, cache: 'no-store' });
    if (!r.ok) throw new Error(path + ': ' + r.status);
    return r.json();
  }

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else e.setAttribute(k, v);
    }
    for (const c of children) {
      if (c == null) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  function fmt(v, digits, unit) {
    if (v == null || Number.isNaN(v)) return '–';
    return Number(v).toFixed(digits) + (unit || '');
  }

  function pct(share) {
    return share == null ? '–' : fmt(100 * share, 1, '%');
  }

  function ago(seconds) {
    if (seconds == null) return '–';
    if (seconds < 1) return 'now';
    if (seconds < 120) return Math.round(seconds) + ' s ago';
    if (seconds < 7200) return Math.round(seconds / 60) + ' min ago';
    return Math.round(seconds / 3600) + ' h ago';
  }

  function time(ms) {
    return ms ? new Date(ms).toLocaleTimeString() : '–';
  }

  function cameraPath(id) {
    return 'api/cameras/' + encodeURIComponent(id);
  }

  // An image that reloads only when its record changed and the previous load has finished.
  function liveImage(alt) {
    const img = el('img', { alt: alt });
    img.dataset.want = '';
    img.dataset.loading = '';
    img.addEventListener('load', () => { img.dataset.loading = ''; });
    img.addEventListener('error', () => { img.dataset.loading = ''; });
    return img;
  }

  function setImage(img, src) {
    if (img.dataset.want === src || img.dataset.loading) return;
    img.dataset.want = src;
    img.dataset.loading = '1';
    img.src = src;
  }

  function legend(classes) {
    const l = el('div', { class: 'legend' });
    for (const c of classes || []) {
      const s = el('span', { class: 'swatch' });
      s.style.background = c.color;
      l.append(el('span', {}, s, c.name));
    }
    return l;
  }

  // ---------------------------------------------------------------- camera tiles

  function makeTile(id, large) {
    const w = large ? LARGE : THUMB;
    const frame = liveImage('frame');
    const seg = liveImage('segmentation');
    const depth = liveImage('depth');
    const title = large ? el('span', {}, id) : el('a', { href: '#/camera/' + encodeURIComponent(id) }, id);
    const version = el('span', { class: 'muted' });
    const stats = el('div', { class: 'stats' });
    const legendBox = el('div');
    const root = el('div', { class: 'tile' + (large ? ' large' : '') },
      el('h2', {}, title, version),
      el('div', { class: 'images' },
        el('figure', {}, frame, el('figcaption', {}, 'frame')),
        el('figure', {}, seg, el('figcaption', {}, 'segmentation')),
        el('figure', {}, depth, el('figcaption', {}, 'depth'))),
      legendBox, stats);
    root.dataset.camera = id;
    return { root, frame, seg, depth, version, stats, legendBox, w, legendKey: '' };
  }

  function updateTile(t, c) {
    t.version.textContent = c.model ? c.model + ' v' + c.modelVersion : 'no prediction yet';
    t.root.classList.toggle('stale', c.secondsSinceUpdate != null && c.secondsSinceUpdate > 30);
    t.stats.replaceChildren(
      el('span', {}, 'frames/s ', el('b', {}, fmt(c.framesPerSecond, 1))),
      el('span', {}, 'latency p50 ', el('b', {}, fmt(c.latencyP50Ms, 0, ' ms')),
        ' p99 ', el('b', {}, fmt(c.latencyP99Ms, 0, ' ms'))),
      el('span', {}, 'predictions ', el('b', {}, c.predictions)),
      el('span', { class: c.deadLetters > 0 ? 'bad' : '' }, 'dead letters ', el('b', {}, c.deadLetters)),
      el('span', {}, 'pseudo-labels ', el('b', {}, c.pseudoLabels)),
      el('span', { class: 'muted', 'data-ago': String(Date.now() - 1000 * (c.secondsSinceUpdate || 0)) },
        'updated ' + ago(c.secondsSinceUpdate)));
    const key = (c.classes || []).map(k => k.id).join(',');
    if (key !== t.legendKey) {
      t.legendKey = key;
      t.legendBox.replaceChildren(legend(c.classes));
    }
    const base = cameraPath(c.id);
    if (c.lastFrameSequence != null) {
      setImage(t.frame, url(base + '/frame.png', { w: t.w, s: c.lastFrameSequence }));
    }
    if (c.lastSequence != null) {
      setImage(t.seg, url(base + '/segmentation.png', { w: t.w, overlay: '0.5', s: c.lastSequence }));
      setImage(t.depth, url(base + '/depth.png', { w: t.w, scale: '1', s: c.lastSequence }));
    }
  }

  // ---------------------------------------------------------------- views

  const observer = 'IntersectionObserver' in window
    ? new IntersectionObserver(entries => {
        for (const e of entries) {
          const id = e.target.dataset.camera;
          if (e.isIntersecting) visible.add(id); else visible.delete(id);
        }
      })
    : null;

  async function showCameras() {
    const cameras = await getJson('api/cameras');
    let grid = view.querySelector('.grid');
    if (!grid) {
      tiles = new Map();
      visible = new Set();
      grid = el('div', { class: 'grid' });
      view.replaceChildren(grid);
    }
    if (cameras.length === 0) {
      view.replaceChildren(el('div', { class: 'empty' },
        'No camera yet: the dashboard shows cameras as their frames and predictions arrive.'));
      return;
    }
    for (const c of cameras) {
      let t = tiles.get(c.id);
      if (!t) {
        t = makeTile(c.id, false);
        tiles.set(c.id, t);
        grid.append(t.root);
        if (observer) observer.observe(t.root); else visible.add(c.id);
        visible.add(c.id);
      }
      if (visible.has(c.id)) updateTile(t, c);
    }
    const ids = new Set(cameras.map(c => c.id));
    for (const [id, t] of tiles) {
      if (!ids.has(id)) { t.root.remove(); tiles.delete(id); }
    }
  }

  async function showCamera(id) {
    const c = await getJson(cameraPath(id));
    let page = view.querySelector('.camera-page');
    if (!page || page.dataset.camera !== id) {
      const t = makeTile(id, true);
      page = el('div', { class: 'camera-page' }, t.root,
        el('section', { class: 'panel' }, el('h3', {}, 'Model versions'), el('div', { class: 'versions' })),
        el('section', { class: 'panel' }, el('h3', {}, 'Last pseudo-labelled key frame'),
          el('div', { class: 'pseudo' }), el('div', { class: 'images keyframe' })),
        el('section', { class: 'panel' }, el('h3', {}, 'Adaptation over time'),
          el('div', { class: 'chart chart-agreement' }), el('div', { class: 'chart chart-rate' }),
          el('div', { class: 'rounds' })),
        el('section', { class: 'panel' }, el('h3', {}, 'Dead letters'), el('div', { class: 'dead' })));
      page.dataset.camera = id;
      page.tile = t;
      page.keyFrame = keyFrameImages();
      page.querySelector('.keyframe').replaceChildren(...page.keyFrame.figures);
      view.replaceChildren(page);
    }
    updateTile(page.tile, c);
    if (c.lastTimings) {
      const t = c.lastTimings;
      page.tile.stats.append(el('span', { class: 'muted' },
        `last frame: queue ${fmt(t.queueMs, 0)} + decode ${fmt(t.decodeMs, 0)} + inference ${fmt(t.inferenceMs, 0)} = ${fmt(t.totalMs, 0)} ms`));
    }
    page.querySelector('.versions').replaceChildren(versions(c));
    page.querySelector('.dead').replaceChildren(deadLetters(c.recentDeadLetters, false));
    const p = c.lastPseudoLabel;
    page.querySelector('.pseudo').replaceChildren(p
      ? el('div', { class: 'stats' },
          el('span', {}, 'frame ', el('b', {}, p.sequence)),
          el('span', {}, 'teacher ', el('b', {}, p.teacher + ' v' + p.teacherVersion)),
          el('span', {}, 'labelled pixels ', el('b', {}, pct(p.confidentShare))),
          el('span', {}, 'consistent depth ', el('b', {}, pct(p.consistentDepthShare))),
          el('span', {}, 'student agreement ', el('b', {}, pct(p.studentAgreement))),
          el('span', {}, 'rate ', el('b', {}, fmt(c.pseudoLabelsPerMinute, 0, '/min'))),
          el('span', { class: 'muted' }, time(p.timeMs)))
      : el('span', { class: 'muted' }, 'none (self-training is off, or no key frame labelled yet)'));
    updateKeyFrame(page.keyFrame, c);
    charts(page, c);
    page.querySelector('.rounds').replaceChildren(roundsTable(c.rounds, 12));
  }

  // ---------------------------------------------------------------- adaptation

  // The last key frame: what the teacher labelled next to what the student predicted of it.
  function keyFrameImages() {
    const names = [['frame', 'key frame'], ['labels', 'teacher: classes it is sure of'],
      ['segmentation', 'student'], ['depth', 'teacher: depth'], ['student-depth', 'student: depth']];
    const images = {};
    const captions = {};
    const figures = names.map(([name, caption]) => {
      images[name] = liveImage(caption);
      images[name].dataset.image = name;
      captions[name] = el('figcaption', {}, caption);
      return el('figure', {}, images[name], captions[name]);
    });
    return { images, captions, figures };
  }

  function updateKeyFrame(k, c) {
    const p = c.lastPseudoLabel;
    for (const f of k.figures) f.hidden = !p;
    if (!p) return;
    const base = cameraPath(c.id) + '/key-frame/';
    const s = { w: 200, s: p.sequence + '-' + p.timeMs };
    setImage(k.images.frame, url(base + 'frame.png', s));
    setImage(k.images.labels, url(base + 'labels.png', s));
    setImage(k.images.depth, url(base + 'depth.png', s));
    k.captions.frame.textContent = `key frame ${p.sequence}`;
    k.captions.labels.textContent = `${p.teacher} v${p.teacherVersion} (teacher): ${pct(p.confidentShare)} labelled`;
    k.captions.depth.textContent = `teacher's depth: ${pct(p.consistentDepthShare)} labelled`;
    const s2 = c.keyFramePrediction;
    for (const n of ['segmentation', 'student-depth']) k.images[n].parentNode.hidden = !s2;
    if (s2) {
      setImage(k.images.segmentation, url(base + 'segmentation.png', s));
      setImage(k.images['student-depth'], url(base + 'student-depth.png', s));
      k.captions.segmentation.textContent = `${s2.model} v${s2.version} (student): agrees on ${pct(p.studentAgreement)}`;
      k.captions['student-depth'].textContent = `${s2.model} v${s2.version} (student): depth`;
    }
  }

  const COLORS = { agreement: '#2563eb', labelled: '#7c3aed', depth: '#0891b2',
    accepted: '#15803d', 'rolled back': '#b91c1c', 'frozen student again': '#b45309', failed: '#6b7280',
    rate: '#0f766e', version: '#1d2330' };

  // The charts' data: pseudo-labels and rounds on one time axis (uPlot wants seconds).
  function chartData(c) {
    const rows = [];
    for (const p of c.pseudoLabelHistory || []) rows.push({ t: p.timeMs / 1000, p });
    for (const r of c.rounds || []) rows.push({ t: r.timeMs / 1000, r });
    rows.sort((a, b) => a.t - b.t);
    const x = rows.map(o => o.t);
    const only = (f) => rows.map(o => (o.p ? f(o.p) : null) ?? null);
    const outcome = (name) => rows.map(o => o.r && o.r.outcome === name
      ? (name === 'frozen student again' ? o.r.frozenAgreement : (o.r.candidateAgreement ?? o.r.servingAgreement)) ?? null
      : null);
    const times = rows.filter(o => o.p).map(o => o.t);
    // Pseudo-labels in the minute up to each one: those seen so far less those older.
    let from = 0;
    let seen = 0;
    const rate = rows.map(o => {
      if (!o.p) return null;
      seen++;
      while (times[from] < o.t - 60) from++;
      return seen - from;
    });
    let version = null;
    const versions = rows.map(o => {
      if (o.r) version = o.r.version;
      else if (o.p && o.p.studentVersion) version = Math.max(version || 0, o.p.studentVersion);
      return version;
    });
    return {
      agreement: [x, only(p => p.studentAgreement), only(p => p.confidentShare), only(p => p.consistentDepthShare),
        outcome('accepted'), outcome('rolled back'), outcome('frozen student again')],
      rate: [x, rate, versions],
      points: times.length,
      rounds: (c.rounds || []).length,
    };
  }

  function charts(page, c) {
    const a = page.querySelector('.chart-agreement');
    const r = page.querySelector('.chart-rate');
    if (!window.uPlot) {
      a.replaceChildren(el('span', { class: 'muted' }, 'charts unavailable (uPlot did not load)'));
      return;
    }
    const d = chartData(c);
    a.dataset.points = d.points;
    a.dataset.rounds = d.rounds;
    if (d.points + d.rounds === 0) {
      if (!page.charts) a.replaceChildren(el('span', { class: 'muted' }, 'no pseudo-label or round yet'));
      return;
    }
    const width = Math.max(320, Math.min(1100, page.clientWidth - 40));
    const pctAxis = { values: (u, v) => v.map(x => Math.round(100 * x) + '%'), size: 50 };
    const dots = (stroke) => ({ stroke, paths: () => null, points: { show: true, size: 9, fill: stroke } });
    if (!page.charts) {
      a.replaceChildren();
      r.replaceChildren();
      const agreement = new uPlot({
        title: 'Agreement with the teacher, labelled pixels; rounds by outcome',
        width, height: 230,
        scales: { x: { time: true }, y: { range: [0, 1] } },
        axes: [{}, pctAxis],
        series: [{},
          { label: 'student agreement', stroke: COLORS.agreement, width: 2, spanGaps: true, value: (u, v) => pct(v) },
          { label: 'labelled pixels', stroke: COLORS.labelled, width: 2, spanGaps: true, value: (u, v) => pct(v) },
          { label: 'depth labelled', stroke: COLORS.depth, width: 2, spanGaps: true, value: (u, v) => pct(v) },
          Object.assign({ label: 'round accepted', value: (u, v) => pct(v) }, dots(COLORS.accepted)),
          Object.assign({ label: 'rolled back', value: (u, v) => pct(v) }, dots(COLORS['rolled back'])),
          Object.assign({ label: 'frozen student again', value: (u, v) => pct(v) }, dots(COLORS['frozen student again']))],
      }, d.agreement, a);
      const rate = new uPlot({
        title: 'Pseudo-labels a minute; serving version',
        width, height: 180,
        scales: { x: { time: true }, v: {} },
        axes: [{}, { size: 50 }, { scale: 'v', side: 1, size: 40, values: (u, v) => v.map(x => Number.isInteger(x) ? 'v' + x : '') }],
        series: [{},
          { label: 'pseudo-labels/min', stroke: COLORS.rate, width: 2, spanGaps: true },
          { label: 'version', scale: 'v', stroke: COLORS.version, width: 2, spanGaps: true, paths: uPlot.paths.stepped({ align: 1 }) }],
      }, d.rate, r);
      page.charts = { agreement, rate };
    } else {
      page.charts.agreement.setData(d.agreement);
      page.charts.rate.setData(d.rate);
    }
  }

  function roundsTable(rounds, n) {
    if (!rounds || rounds.length === 0) {
      return el('span', { class: 'muted' }, 'no round yet (self-training is off, or it has not labelled enough key frames)');
    }
    const t = el('table', {}, el('tr', {}, el('th', {}, 'round'), el('th', {}, 'time'), el('th', {}, 'outcome'),
      el('th', { class: 'num' }, 'version'), el('th', { class: 'num' }, 'serving'), el('th', { class: 'num' }, 'candidate'),
      el('th', { class: 'num' }, 'frozen'), el('th', { class: 'num' }, 'seconds'), el('th', { class: 'num' }, 'machine'),
      el('th', {}, 'why')));
    for (const r of rounds.slice(-n).reverse()) {
      const cls = r.outcome === 'accepted' ? 'ok' : r.outcome === 'rolled back' || r.outcome === 'failed' ? 'bad' : 'warn';
      t.append(el('tr', {}, el('td', {}, (r.check ? 'check ' : '') + r.round), el('td', {}, time(r.timeMs)),
        el('td', { class: cls }, r.outcome), el('td', { class: 'num' }, 'v' + r.version),
        el('td', { class: 'num' }, pct(r.servingAgreement)), el('td', { class: 'num' }, pct(r.candidateAgreement)),
        el('td', { class: 'num' }, pct(r.frozenAgreement)), el('td', { class: 'num' }, fmt(r.seconds, 1)),
        el('td', { class: 'num' }, pct(r.machineShare)), el('td', { class: 'muted' }, r.why || '')));
    }
    return t;
  }

  function adaptation(f) {
    const models = Object.entries(f.adaptation || {});
    if (models.length === 0) {
      return el('span', { class: 'muted' }, 'no self-training round read (self-training is off, or none has finished)');
    }
    const box = el('div');
    for (const [name, a] of models) {
      const o = a.outcomes || {};
      box.append(el('div', { class: 'kpis' },
        kpi(name, 'model'),
        kpi(a.budget == null ? 'no limit' : pct(a.budget), 'adaptation budget'),
        kpi(pct(a.machineShare), 'machine taken by adaptation'),
        kpi(a.rounds, 'rounds'),
        kpi(o['accepted'] || 0, 'accepted'),
        kpi(o['rolled back'] || 0, 'rolled back'),
        kpi(o['frozen student again'] || 0, 'frozen student again'),
        kpi(o['failed'] || 0, 'failed'),
        kpi(fmt(a.secondsPerRound, 1, ' s'), 'per round')));
      if (a.last) box.append(el('div', { class: 'muted' }, `last: ${a.last.check ? 'check' : 'round'} ${a.last.round}, ${a.last.outcome}, v${a.last.version}, ${time(a.last.timeMs)}`));
    }
    return box;
  }

  function versions(c) {
    const box = el('div');
    const served = el('div', { class: 'timeline' });
    for (const s of c.served || []) {
      served.append(el('span', { class: 'version' + (s.version === c.modelVersion && s.model === c.model ? ' serving' : '') },
        `${s.model} v${s.version}`, el('span', { class: 'muted' }, ` from frame ${s.firstSequence}, ${time(s.sinceMs)}`)));
    }
    box.append(el('div', { class: 'muted' }, 'served by this camera'), served);
    if ((c.updates || []).length) {
      const line = el('div', { class: 'timeline' });
      for (const u of c.updates) {
        const agree = u.validation && u.validation.agreement;
        line.append(el('span', { class: 'version ' + u.status + (u.version === c.modelVersion ? ' serving' : '') },
          `v${u.version} `, el('b', { class: u.status === 'accepted' ? 'ok' : 'warn' }, u.status),
          agree != null ? ` agreement ${pct(agree)}` : '',
          el('span', { class: 'muted' }, ' ' + time(u.createdMs) + (u.signed ? ', signed' : ''))));
      }
      box.append(el('div', { class: 'muted' }, 'published by self-training'), line);
    }
    return box;
  }

  function deadLetters(list, withCamera) {
    if (!list || list.length === 0) return el('span', { class: 'muted' }, 'none');
    const head = el('tr', {}, el('th', {}, 'time'));
    if (withCamera) head.append(el('th', {}, 'camera'));
    head.append(el('th', {}, 'reason'), el('th', {}, 'source'), el('th', {}, 'message'));
    const t = el('table', {}, head);
    for (const d of list) {
      const row = el('tr', {}, el('td', {}, time(d.timeMs)));
      if (withCamera) row.append(el('td', {}, d.camera || '–'));
      row.append(el('td', { class: 'bad' }, d.reason),
        el('td', {}, `${d.sourceTopic || '?'}-${d.sourcePartition || '?'}@${d.sourceOffset || '?'}`),
        el('td', {}, d.message || ''));
      t.append(row);
    }
    return t;
  }

  function kpi(value, label) {
    return el('div', { class: 'kpi' }, el('div', { class: 'v' }, value), el('div', { class: 'k' }, label));
  }

  async function showFleet() {
    const f = await getJson('api/fleet');
    const rows = el('table', {}, el('tr', {}, el('th', {}, 'camera'), el('th', {}, 'model'),
      el('th', { class: 'num' }, 'version'), el('th', { class: 'num' }, 'dead letters')));
    for (const v of f.versions) {
      rows.append(el('tr', {},
        el('td', {}, el('a', { href: '#/camera/' + encodeURIComponent(v.camera) }, v.camera)),
        el('td', {}, v.model || '–'), el('td', { class: 'num' }, v.version ?? '–'),
        el('td', { class: 'num' + (v.deadLetters ? ' bad' : '') }, v.deadLetters)));
    }
    const models = el('div');
    for (const [name, list] of Object.entries(f.models || {})) {
      const line = el('div', { class: 'timeline' });
      for (const u of list) {
        line.append(el('span', { class: 'version ' + u.status }, `v${u.version} `,
          el('b', { class: u.status === 'accepted' ? 'ok' : 'warn' }, u.status),
          el('span', { class: 'muted' }, ' ' + time(u.createdMs))));
      }
      models.append(el('div', {}, el('b', {}, name)), line);
    }
    const unreadable = el('table', {}, el('tr', {}, el('th', {}, 'topic'), el('th', {}, 'reason'), el('th', { class: 'num' }, 'records')));
    for (const [topic, m] of Object.entries(f.unreadableRecords || {})) {
      for (const [reason, n] of Object.entries(m)) {
        unreadable.append(el('tr', {}, el('td', {}, topic), el('td', {}, reason), el('td', { class: 'num' }, n)));
      }
    }
    view.replaceChildren(
      el('div', { class: 'kpis' },
        kpi(f.cameras, 'cameras'),
        kpi(fmt(f.framesPerSecond, 1), 'predictions/s, all cameras'),
        kpi(fmt(f.latencyP50Ms, 0, ' ms'), 'latency p50'),
        kpi(fmt(f.latencyP99Ms, 0, ' ms'), 'latency p99'),
        kpi(f.deadLettersLastMinute, 'dead letters, last minute'),
        kpi(f.deadLetters, 'dead letters read')),
      el('section', { class: 'panel adaptation' }, el('h3', {}, 'Adaptation'), adaptation(f)),
      el('section', { class: 'panel' }, el('h3', {}, 'Versions per camera'), rows),
      el('section', { class: 'panel' }, el('h3', {}, 'Model versions published'),
        Object.keys(f.models || {}).length ? models : el('span', { class: 'muted' }, 'none (self-training is off, or no round has finished)')),
      el('section', { class: 'panel' }, el('h3', {}, 'Dead letters'), deadLetters(f.recentDeadLetters, true)),
      el('section', { class: 'panel' }, el('h3', {}, 'Records the dashboard could not read'),
        Object.keys(f.unreadableRecords || {}).length ? unreadable : el('span', { class: 'muted' }, 'none')),
      el('div', { class: 'muted' }, `Kafka ${f.kafka.bootstrapServers}, ${f.kafka.partitions} partitions read, ${f.records} records` +
        (f.kafka.error ? `; error: ${f.kafka.error}` : '')));
  }

  // ---------------------------------------------------------------- routing and refresh

  function parseRoute() {
    const h = location.hash.replace(/^#\/?/, '');
    if (h.startsWith('camera/')) return { name: 'camera', id: decodeURIComponent(h.slice(7)) };
    if (h === 'fleet') return { name: 'fleet' };
    return { name: 'cameras' };
  }

  function navigate() {
    route = parseRoute();
    document.getElementById('nav-cameras').classList.toggle('active', route.name !== 'fleet');
    document.getElementById('nav-fleet').classList.toggle('active', route.name === 'fleet');
    view.replaceChildren();
    dirty = true;
    refresh();
  }

  let busy = false;
  async function refresh() {
    if (busy || !dirty) return;
    busy = true;
    dirty = false;
    try {
      if (route.name === 'camera') await showCamera(route.id);
      else if (route.name === 'fleet') await showFleet();
      else await showCameras();
    } catch (e) {
      status.textContent = String(e.message || e);
      status.classList.add('down');
    } finally {
      busy = false;
    }
  }

  function connect() {
    const es = new EventSource(url('api/events'));
    es.addEventListener('open', () => { status.textContent = 'live'; status.classList.remove('down'); });
    es.addEventListener('error', () => { status.textContent = 'reconnecting…'; status.classList.add('down'); });
    es.addEventListener('camera', () => { lastEvent = Date.now(); dirty = true; });
    es.addEventListener('fleet', () => { lastEvent = Date.now(); if (route.name === 'fleet') dirty = true; });
  }

  window.addEventListener('hashchange', navigate);
  setInterval(() => {
    // Without events for a while (a proxy that buffers them), refresh anyway, less often.
    if (Date.now() - lastEvent > 5000 && Date.now() % 5000 < REFRESH_MS) dirty = true;
    refresh();
    for (const s of document.querySelectorAll('[data-ago]')) {
      s.textContent = 'updated ' + ago((Date.now() - Number(s.dataset.ago)) / 1000);
    }
  }, REFRESH_MS);
  connect();
  navigate();
})();
