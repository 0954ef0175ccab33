// Reads an iCalendar document on standard input and prints, as JSON, the UID, SEQUENCE,
// STATUS, SUMMARY, LOCATION, DESCRIPTION and the start and end instants (Unix seconds) of
// every VEVENT, as ical.js reads them with the document's own VTIMEZONEs.
import { pathToFileURL } from "node:url";

// ICALJS: the path of ical.js's dist/ical.js, installed by the test (see test_feeds.py)
const ICAL = (await import(pathToFileURL(process.env.ICALJS).href)).default;

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const root = new ICAL.Component(ICAL.parse(Buffer.concat(chunks).toString("utf8")));
for (const zone of root.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(zone);
}
const events = root.getAllSubcomponents("vevent").map((component) => {
  const event = new ICAL.Event(component);
  return {
    uid: event.uid,
    sequence: event.sequence,
    status: component.getFirstPropertyValue("status"),
    summary: event.summary,
    location: event.location,
    description: event.description,
    local: event.startDate.toString(),
    start: event.startDate.toUnixTime(),
    end: event.endDate.toUnixTime(),
  };
});
process.stdout.write(JSON.stringify(events));
