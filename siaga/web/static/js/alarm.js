// "P1 without a unit": a priority-1 incident with no unit assigned 60 s after it was created is
// highlighted (list and map) and, where the browser allows sound, announced by a short beep.

export const P1_ALARM_AFTER_S = 60;

export function isOverdue(incident, nowMs = Date.now()) {
  return incident.priority === 1
    && incident.status === "new"
    && !(incident.assigned_units && incident.assigned_units.length)
    && nowMs - Date.parse(incident.created_at) >= P1_ALARM_AFTER_S * 1000;
}

/** A beeper whose AudioContext is created on the dispatcher's first click or key (autoplay rules). */
export function createBeeper(doc = document) {
  const holder = { context: null };
  const unlock = () => {
    if (holder.context || !window.AudioContext) { return; }
    try { holder.context = new window.AudioContext(); } catch { holder.context = null; }
  };
  doc.addEventListener("pointerdown", unlock, { once: true });
  doc.addEventListener("keydown", unlock, { once: true });
  return {
    beep() {
      const ctx = holder.context;
      if (!ctx || ctx.state !== "running") { return false; }
      for (const start of [0, 0.35]) {
        const osc = ctx.createOscillator();
        const gain = ctx.createGain();
        osc.frequency.value = 880;
        gain.gain.value = 0.15;
        osc.connect(gain).connect(ctx.destination);
        osc.start(ctx.currentTime + start);
        osc.stop(ctx.currentTime + start + 0.2);
      }
      return true;
    },
  };
}
