/** The scheduler's public surface. */
export {
  Scheduler, startScheduler, processNextJob, runCronNow, triggerCronRecords, executeJob, addInterval, nextFutureCall,
  cronMethods, parseCronArgs, type SchedulerOptions, type CronJob, type IntervalType,
} from './scheduler.ts';
