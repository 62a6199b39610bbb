package io.trackpipe.warehouse.dimension;

import io.trackpipe.dimension.Company;
import io.trackpipe.dimension.Dimensions;
import io.trackpipe.dimension.Job;
import io.trackpipe.dimension.Publisher;
import io.trackpipe.warehouse.Warehouse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Reads and writes the dimension tables ({@code company}, {@code job}, {@code master_publisher}). */
public final class DimensionTables {
  private final Warehouse warehouse;

  public DimensionTables(Warehouse warehouse) {
    this.warehouse = warehouse;
  }

  /** Inserts or updates every row in one transaction. */
  public void upsert(Dimensions dimensions) throws SQLException {
    warehouse.inTransaction(c -> {
      try (PreparedStatement companies = c.prepareStatement(
              "INSERT INTO company (id, name) VALUES (?, ?) ON DUPLICATE KEY UPDATE name = VALUES(name)");
          PreparedStatement jobs = c.prepareStatement(
              "INSERT INTO job (id, company_id, group_id, campaign_id, title, industry) VALUES (?, ?, ?, ?, ?, ?)"
                  + " ON DUPLICATE KEY UPDATE company_id = VALUES(company_id), group_id = VALUES(group_id),"
                  + " campaign_id = VALUES(campaign_id), title = VALUES(title), industry = VALUES(industry)");
          PreparedStatement publishers = c.prepareStatement(
              "INSERT INTO master_publisher (id, name) VALUES (?, ?) ON DUPLICATE KEY UPDATE name = VALUES(name)")) {
        for (Company company : dimensions.companies()) {
          companies.setLong(1, company.id());
          companies.setString(2, company.name());
          companies.addBatch();
        }
        for (Job job : dimensions.jobs()) {
          addJob(jobs, job);
        }
        for (Publisher publisher : dimensions.publishers()) {
          publishers.setLong(1, publisher.id());
          publishers.setString(2, publisher.name());
          publishers.addBatch();
        }
        companies.executeBatch();
        jobs.executeBatch();
        publishers.executeBatch();
      }
      return null;
    });
  }

  private static void addJob(PreparedStatement jobs, Job job) throws SQLException {
    jobs.setLong(1, job.id());
    jobs.setLong(2, job.companyId());
    jobs.setLong(3, job.groupId());
    jobs.setLong(4, job.campaignId());
    jobs.setString(5, job.title());
    jobs.setString(6, job.industry());
    jobs.addBatch();
  }

  /** All jobs, for enrichment lookups. */
  public List<Job> jobs() throws SQLException {
    try (Connection c = warehouse.connect();
        PreparedStatement s = c.prepareStatement("SELECT id, company_id, group_id, campaign_id, title, industry FROM job");
        ResultSet rs = s.executeQuery()) {
      List<Job> jobs = new ArrayList<>();
      while (rs.next()) {
        jobs.add(new Job(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getString(5), rs.getString(6)));
      }
      return jobs;
    }
  }
}
